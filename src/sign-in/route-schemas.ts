import { z } from 'zod';

/** The `:uid` of every interaction route. A malformed one names no sign-in request: 404. */
export const interactionParams = z.object({ uid: z.string().min(1).max(200) });

/**
 * A form post's fields. A post without a body is an empty form, so that it meets the same
 * check as any other incomplete form (the CSRF token) rather than a different error.
 */
export function formBody<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess((body) => body ?? {}, z.object(shape));
}

/** The token every form posted to an interaction carries. */
export const csrfField = { csrf: z.string().optional() };
