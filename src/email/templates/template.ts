import type { z } from 'zod';
import type { Locale } from '../../i18n/locales.js';
import type { RenderedEmail } from './layout.js';

/** A message Gatehouse sends: the parameters it needs (checked when queued) and how it is rendered. */
export interface EmailTemplate<Params extends z.ZodType> {
  params: Params;
  /** Texts come from the catalogues: translate(locale, 'email.…', params). */
  render(locale: Locale, params: z.infer<Params>): RenderedEmail;
}

export const template = <Params extends z.ZodType>(entry: EmailTemplate<Params>) => entry;
