import { z } from 'zod';
import { translate, type MessageKey } from '../../i18n/catalogue.js';
import type { Locale } from '../../i18n/locales.js';
import { layout, type RenderedEmail } from './layout.js';
import { template } from './template.js';

/** The changes to an account its owner is told of by email, whoever made them. */
export const accountNoticeKinds = ['password_changed', 'sessions_ended', 'identity_unlinked', 'factor_added', 'factor_removed', 'recovery_codes'] as const;

export type AccountNoticeKind = (typeof accountNoticeKinds)[number];

const accountNoticeParams = z.object({
  notice: z.enum(accountNoticeKinds),
  product: z.string().max(200),
  /** GATEHOUSE_PUBLIC_URL's origin: the account pages' link, never the request's Host. */
  origin: z.string().max(2048),
  username: z.string().max(200),
  /** When it happened, already written for the reader (UTC). */
  time: z.string().max(40),
  /** The issuer of the sign-in unlinked (identity_unlinked only). */
  issuer: z.string().max(2048).optional(),
}).strict();

const subjects: Record<AccountNoticeKind, MessageKey> = {
  password_changed: 'account.notice.passwordChanged.subject',
  sessions_ended: 'account.notice.sessionsEnded.subject',
  identity_unlinked: 'account.notice.identityUnlinked.subject',
  factor_added: 'account.notice.factorAdded.subject',
  factor_removed: 'account.notice.factorRemoved.subject',
  recovery_codes: 'account.notice.recoveryCodes.subject',
};

const bodies: Record<AccountNoticeKind, MessageKey> = {
  password_changed: 'account.notice.passwordChanged.body',
  sessions_ended: 'account.notice.sessionsEnded.body',
  identity_unlinked: 'account.notice.identityUnlinked.body',
  factor_added: 'account.notice.factorAdded.body',
  factor_removed: 'account.notice.factorRemoved.body',
  recovery_codes: 'account.notice.recoveryCodes.body',
};

/** One message for every notice: what changed and when, and where to look if it was not the reader. */
function renderAccountNotice(locale: Locale, params: z.infer<typeof accountNoticeParams>): RenderedEmail {
  const words = { product: params.product, origin: params.origin, username: params.username, time: params.time, issuer: params.issuer ?? '' };
  const subject = translate(locale, subjects[params.notice], words);
  return layout(locale, subject, [
    { kind: 'heading', text: subject },
    { kind: 'paragraph', text: translate(locale, bodies[params.notice], words) },
    { kind: 'paragraph', text: translate(locale, 'account.notice.notYou', words) },
    { kind: 'link', text: translate(locale, 'account.notice.review', words), url: `${params.origin}/account` },
  ], translate(locale, 'email.footer', words));
}

/** The notices the /account pages send after a sensitive change (password, sessions, linked sign-ins, second factors). */
export const accountNoticeTemplates = {
  account_notice: template({ params: accountNoticeParams, render: renderAccountNotice }),
};
