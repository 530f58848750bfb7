import { z } from 'zod';

/** When a record was created and last changed, as RFC 3339 date-times (UTC). */
export const timestamps = {
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
};
