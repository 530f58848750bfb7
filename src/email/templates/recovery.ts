import { z } from 'zod';
import { translate, type MessageKey } from '../../i18n/catalogue.js';
import type { Locale } from '../../i18n/locales.js';
import { layout, type Block, type RenderedEmail } from './layout.js';
import { template } from './template.js';

/** What every message of this file names: the installation (its footer) and the account. */
const common = {
  product: z.string().max(200),
  /** GATEHOUSE_PUBLIC_URL's origin, never the request's Host. */
  origin: z.string().max(2048),
  username: z.string().max(200),
};

/** A message carrying a single-use link: the link (a secret, sealed in the outbox) and how long it lasts. */
const linkParams = z.object({ ...common, url: z.string().max(4096), email: z.string().max(320), hours: z.number().int().positive().optional(), minutes: z.number().int().positive().optional() }).strict();
const changedParams = z.object({ ...common, old: z.string().max(320), new: z.string().max(320) }).strict();
const noticeParams = z.object(common).strict();

type Words = Record<string, string | number>;

function message(locale: Locale, subject: MessageKey, blocks: Array<{ text: MessageKey } | { action: MessageKey; url: string }>, words: Words): RenderedEmail {
  const rendered: Block[] = [{ kind: 'heading', text: translate(locale, subject, words) }, ...blocks.map((block): Block => ('action' in block
    ? { kind: 'link', text: translate(locale, block.action, words), url: block.url }
    : { kind: 'paragraph', text: translate(locale, block.text, words) }))];
  return layout(locale, translate(locale, subject, words), rendered, translate(locale, 'email.footer', words));
}

const wordsOf = (params: Record<string, unknown>): Words =>
  Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string | number] => typeof entry[1] === 'string' || typeof entry[1] === 'number'));

/** The messages of verifying an address, changing it, and resetting a forgotten password. */
export const recoveryTemplates = {
  verify_email: template({
    params: linkParams,
    render: (locale, params) => message(locale, 'recovery.mail.verify.subject', [
      { text: 'recovery.mail.verify.body' }, { action: 'recovery.mail.verify.action', url: params.url }, { text: 'recovery.mail.ignore' },
    ], wordsOf(params)),
  }),
  confirm_new_email: template({
    params: linkParams,
    render: (locale, params) => message(locale, 'recovery.mail.change.subject', [
      { text: 'recovery.mail.change.body' }, { action: 'recovery.mail.change.action', url: params.url }, { text: 'recovery.mail.ignore' },
    ], wordsOf(params)),
  }),
  email_changed: template({
    params: changedParams,
    render: (locale, params) => message(locale, 'recovery.mail.changed.subject', [{ text: 'recovery.mail.changed.body' }], wordsOf(params)),
  }),
  reset_password: template({
    params: linkParams,
    render: (locale, params) => message(locale, 'recovery.mail.reset.subject', [
      { text: 'recovery.mail.reset.body' }, { action: 'recovery.mail.reset.action', url: params.url }, { text: 'recovery.mail.reset.ignore' },
    ], wordsOf(params)),
  }),
  password_was_reset: template({
    params: noticeParams,
    render: (locale, params) => message(locale, 'recovery.mail.wasReset.subject', [{ text: 'recovery.mail.wasReset.body' }], wordsOf(params)),
  }),
};
