import type { z } from 'zod';
import { bestLocale } from '../../i18n/negotiate.js';
import { defaultLocale, type Locale } from '../../i18n/locales.js';
import type { RenderedEmail } from './layout.js';
import { renderTest, testParams } from './test.js';

/** A message Gatehouse sends: the parameters it needs (checked when queued) and how it is rendered. */
interface EmailTemplate<Params extends z.ZodType> {
  params: Params;
  /** Texts come from the catalogues: translate(locale, 'email.…', params). */
  render(locale: Locale, params: z.infer<Params>): RenderedEmail;
}

const template = <Params extends z.ZodType>(entry: EmailTemplate<Params>) => entry;

/**
 * Every template by name. A flow that sends mail (verify email, reset password, notices) adds
 * its own here, with its texts in the catalogue; the outbox stores the name, so a name once
 * used must stay.
 */
export const emailTemplates = {
  test: template({ params: testParams, render: renderTest }),
};

export type EmailTemplateName = keyof typeof emailTemplates;

export type EmailParams<Name extends EmailTemplateName> = z.infer<(typeof emailTemplates)[Name]['params']>;

export const isEmailTemplateName = (name: string): name is EmailTemplateName => Object.hasOwn(emailTemplates, name);

/**
 * The supported language for a message's stored BCP 47 tag (the request's or the account's, as
 * queued): the closest one, as for pages (`zh-Hans` finds zh-CN, `de-AT` de), else English.
 */
export function emailLocale(tag: string): Locale {
  return bestLocale([tag.replace(/_/g, '-')]) ?? defaultLocale;
}

/** Renders a stored message in its language. */
export function renderEmail(name: EmailTemplateName, tag: string, params: unknown): RenderedEmail {
  const entry = emailTemplates[name];
  return entry.render(emailLocale(tag), entry.params.parse(params));
}
