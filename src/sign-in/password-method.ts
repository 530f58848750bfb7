import { z } from 'zod';
import { en } from '../i18n/messages/en.js';
import { t } from '../i18n/page-locale.js';
import { interactionPath } from '../oidc/interaction-path.js';
import { passwordForm } from './password-form.js';
import type { PasswordSignIn } from './password-sign-in.js';
import { csrfField, formBody, interactionParams } from './route-schemas.js';
import type { HomeRealm, SignInMethod } from './sign-in-method.js';

/** The one message for every failed sign-in, so that it reveals nothing about the account (in English; the page says it in its language). */
export const signInFailedMessage = en['login.failed'];

/** Throttling is per network address, not per account, so saying so reveals nothing about any account. */
export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds < 90 ? t('login.waitSeconds', { count: retryAfterSeconds }) : t('login.waitMinutes', { count: Math.ceil(retryAfterSeconds / 60) });
  return t('login.tooManyAttempts', { wait });
}

const loginForm = formBody({
  ...csrfField,
  username: z.string().max(1000).default(''),
  password: z.string().max(4096).default(''),
});

/**
 * User name (or email) and password on the login page, checked by the same PasswordSignIn as the
 * password grant. An address whose domain belongs to an upstream provider (home-realm discovery)
 * goes there instead, before any password is looked at.
 */
export function createPasswordMethod(signIn: PasswordSignIn, { homeRealm }: { homeRealm?: HomeRealm } = {}): SignInMethod {
  return {
    id: 'password',
    loginSection: passwordForm,
    interactionRoutes(routes, context) {
      routes.post('/login', { schema: { params: interactionParams, body: loginForm } }, async (request, reply) => {
        const { uid } = request.params;
        const form = request.body;
        const pending = await context.load(request, reply, uid);
        if (pending.prompt !== 'login') return reply.redirect(interactionPath(uid), 303);
        const elsewhere = await homeRealm?.(request, reply, pending, form.username);
        if (elsewhere) return elsewhere;
        const outcome = await signIn({ identifier: form.username, password: form.password, clientIp: request.clientIp, channel: 'login_page', clientId: pending.clientId });
        if (!outcome.ok && outcome.reason === 'throttled') {
          reply.header('retry-after', String(outcome.retryAfterSeconds));
          return context.showLoginPage(reply, pending, { status: 429, message: tooManyAttemptsMessage(outcome.retryAfterSeconds), username: form.username });
        }
        if (!outcome.ok) return context.showLoginPage(reply, pending, { status: 401, message: t('login.failed'), username: form.username });
        return context.completeSignIn(request, reply, { uid, amr: ['pwd'], as: { user: outcome.user }, via: { method: 'password' } });
      });
    },
  };
}
