import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { useLocale } from '../http/locale.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { t } from '../i18n/page-locale.js';
import type { CurrentSession } from '../oidc/current-session.js';
import type { SignInRoutes } from '../sign-in/sign-in-method.js';
import type { User } from '../users/user.js';
import type { PageNotice } from '../views/account-frame.js';
import type { AccountDeps } from './account-deps.js';
import type { NotifyOwner } from './notify-owner.js';
import type { SignedIn } from './signed-in.js';

/** What each account page's routes are built from. */
export interface AccountContext {
  routes: SignInRoutes;
  deps: AccountDeps;
  signedIn: SignedIn;
  notifyOwner: NotifyOwner;
}

/** The sentences an account page may show after a redirect (`?notice=`), and whether each is a refusal. */
const notices = {
  fresh: { text: 'account.done.fresh', error: false },
  saved: { text: 'account.done.saved', error: false },
  passwordChanged: { text: 'account.done.passwordChanged', error: false },
  sessionEnded: { text: 'account.done.sessionEnded', error: false },
  othersEnded: { text: 'account.done.othersEnded', error: false },
  appRevoked: { text: 'account.done.appRevoked', error: false },
  unlinked: { text: 'account.done.unlinked', error: false },
  lastMethod: { text: 'account.done.lastMethod', error: true },
  gone: { text: 'account.done.gone', error: true },
} as const satisfies Record<string, { text: MessageKey; error: boolean }>;

export type AccountNotice = keyof typeof notices;

export const noticeQuery = z.object({ notice: z.enum(Object.keys(notices) as [AccountNotice]).optional() });

export const csrfForm = z.object({ csrf: z.string().max(200).optional() });

export function pageNotice(notice: AccountNotice | undefined): PageNotice | undefined {
  return notice ? { text: t(notices[notice].text), error: notices[notice].error } : undefined;
}

/** `path?notice=…`: the answer to a form, as a redirect (303) to its page with what was done. */
export const withNotice = (path: string, notice: AccountNotice) => `${path}?notice=${notice}`;

/** An account page's HTML: never cached, it is the person's own. */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}

/**
 * The signed-in person's user, with the page in their language; undefined (and the browser sent to
 * sign in) when the account is gone meanwhile.
 */
export async function accountUser(context: AccountContext, session: CurrentSession): Promise<User | undefined> {
  const user = await context.deps.services.users.findById(session.accountId);
  if (user) useLocale({ userLocale: user.profile.locale });
  return user;
}

