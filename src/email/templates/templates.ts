import type { z } from 'zod';
import { bestLocale } from '../../i18n/negotiate.js';
import { defaultLocale, type Locale } from '../../i18n/locales.js';
import { accountNoticeTemplates } from './account-notices.js';
import type { RenderedEmail } from './layout.js';
import { recoveryTemplates } from './recovery.js';
import { template, type EmailTemplate } from './template.js';
import { renderTest, testParams } from './test.js';

/**
 * Every template by name. A flow that sends mail adds its own here, or to its area's file
 * (account-notices.ts, recovery.ts), with its texts in the catalogue; the outbox stores the name, so a name once
 * used must stay.
 */
export const emailTemplates = {
  test: template({ params: testParams, render: renderTest }),
  ...accountNoticeTemplates,
  ...recoveryTemplates,
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
  // Each template's own params type narrows its render; the union of all would accept none. parse() checked them.
  const entry: EmailTemplate<z.ZodType> = emailTemplates[name];
  return entry.render(emailLocale(tag), entry.params.parse(params));
}
