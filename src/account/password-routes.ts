import { z } from 'zod';
import { accountKey } from '../protection/account-lockout.js';
import { t } from '../i18n/page-locale.js';
import type { CurrentSession } from '../oidc/current-session.js';
import { PasswordPolicyError } from '../users/password-policy.js';
import type { User } from '../users/user.js';
import { accountPasswordPage, type PasswordField } from '../views/account-password-page.js';
import { accountUser, noticeQuery, pageNotice, sendPage, withNotice, type AccountContext } from './account-context.js';
import { passwordRuleText } from './recovery/password-rule-text.js';
import { isSession } from './signed-in.js';

export const passwordPath = '/account/password';

const passwordForm = z.object({
  csrf: z.string().max(200).optional(),
  current: z.string().max(4000).default(''),
  password: z.string().max(4000).default(''),
  confirm: z.string().max(4000).default(''),
});

/**
 * `/account/password`: a person changes their password. The current one is proved (a wrong one
 * counts against the account's lock, as a wrong sign-in does), the new one meets the policy, and
 * a sign-in of the last five minutes is needed. The change ends every other session of the
 * account and every token but those of this browser's session, is recorded as
 * `user.password_set` by the user, and the owner is told by email.
 */
export function passwordRoutes(context: AccountContext): void {
  const { routes, signedIn, deps, notifyOwner } = context;
  const { security } = deps.services.deps;
  const lockout = deps.services.protection.accounts;

  const render = (session: CurrentSession, user: User, errors: Partial<Record<PasswordField, string>>, notice?: { text: string; error: boolean }) =>
    accountPasswordPage({ csrfToken: signedIn.csrfToken(session), hasPassword: user.passwordHash !== undefined, minLength: security.passwordMinLength, errors, ...(notice ? { notice } : {}) });

  routes.get(passwordPath, { schema: { querystring: noticeQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, passwordPath);
    if (!isSession(session)) return reply;
    const user = await accountUser(context, session);
    if (!user) return signedIn.signIn(reply, passwordPath);
    return sendPage(reply, render(session, user, {}, pageNotice(request.query.notice)));
  });

  routes.post(passwordPath, { schema: { body: passwordForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, { returnTo: passwordPath, fresh: true });
    if (!isSession(session)) return reply;
    const user = await accountUser(context, session);
    if (!user) return signedIn.signIn(reply, passwordPath);
    const { current, password, confirm } = request.body;
    const refuse = (errors: Partial<Record<PasswordField, string>>) => sendPage(reply, render(session, user, errors, { text: t('account.password.notChanged'), error: true }), 400);

    if (user.passwordHash !== undefined) {
      if (current === '') return refuse({ current: t('account.error.required') });
      const key = accountKey(user.id, '');
      const admission = await lockout.admit(key);
      if (!admission.admitted) return refuse({ current: t('account.error.throttled', { seconds: admission.retryAfterSeconds }) });
      if (!(await deps.services.hasher.verify(user.passwordHash, current)).ok) {
        await admission.attempt.fail();
        return refuse({ current: t('account.error.wrongPassword') });
      }
      await lockout.recordSuccess(key);
    }
    if (password === '') return refuse({ password: t('account.error.required') });
    if (password !== confirm) return refuse({ confirm: t('account.error.mismatch') });
    try {
      await deps.services.selfService.changeOwnPassword(user.id, password, session.uid);
    } catch (error) {
      if (!(error instanceof PasswordPolicyError)) throw error;
      return refuse({ password: passwordRuleText(error.broken) });
    }
    await notifyOwner(user.id, 'password_changed', request.log);
    return reply.redirect(withNotice(passwordPath, 'passwordChanged'), 303);
  });
}
