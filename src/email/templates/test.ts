import { z } from 'zod';
import { translate } from '../../i18n/catalogue.js';
import type { Locale } from '../../i18n/locales.js';
import { layout, type RenderedEmail } from './layout.js';

/** `gatehouse mail test`: which installation sent it, so the recipient can tell. */
export const testParams = z.object({ product: z.string().max(200), origin: z.string().max(2048) }).strict();

export function renderTest(locale: Locale, params: z.infer<typeof testParams>): RenderedEmail {
  const words = { product: params.product, origin: params.origin };
  return layout(locale, translate(locale, 'email.test.subject', words), [
    { kind: 'heading', text: translate(locale, 'email.test.heading', words) },
    { kind: 'paragraph', text: translate(locale, 'email.test.body', words) },
    { kind: 'paragraph', text: translate(locale, 'email.test.no_action', words) },
  ], translate(locale, 'email.footer', words));
}
