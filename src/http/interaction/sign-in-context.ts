import type { FastifyRequest } from 'fastify';
import type { Interactions, PendingInteraction } from '../../oidc/interactions.js';
import type { CompleteSignIn } from '../../sign-in/complete-sign-in.js';
import type { SignInEvents } from '../../sign-in/sign-in-events.js';
import type { SignInContext } from '../../sign-in/sign-in-method.js';
import { en } from '../../i18n/messages/en.js';
import { t } from '../../i18n/page-locale.js';
import { useLocale } from '../locale.js';
import type { PromptPages } from './prompt-pages.js';

/** Shown when a method proved an identity that no enabled user is, or may be, linked to (in English; the page says it in its language). */
export const noAccountMessage = en['login.noAccount'];

/** What every sign-in method's routes get from the interaction routes. */
export function createSignInContext(deps: { interactions: Interactions; pages: PromptPages; completeSignIn: CompleteSignIn; events: SignInEvents }): SignInContext {
  const { interactions, pages, events } = deps;
  // The CSRF hook loads the interaction before the method's handler does: one read per request.
  const loaded = new WeakMap<FastifyRequest, Promise<PendingInteraction>>();
  return {
    load(request, reply, uid) {
      let pending = loaded.get(request);
      if (!pending) {
        // The interaction's ui_locales is known from here on, so that what a method says before its page (a refusal) is in the page's language.
        pending = interactions.load(request.raw, reply.raw, uid).then((found) => (useLocale({ uiLocales: found.uiLocales }), found));
        loaded.set(request, pending);
      }
      return pending;
    },
    showLoginPage: pages.showLogin,
    async completeSignIn(request, reply, signIn) {
      const completion = await deps.completeSignIn(request.raw, reply.raw, signIn);
      const { via } = signIn;
      // The password check recorded its own outcome, for the password grant too; a connection's sign-in ends here.
      if (via.method !== 'password') {
        const clientId = (await loaded.get(request))?.clientId;
        const common = { method: via.method, connectionId: via.connectionId, clientId, clientAddress: request.clientIp };
        if (completion.ok) events.succeeded({ ...common, userId: completion.userId, amr: signIn.amr });
        else events.refused({ ...common, userId: completion.userId, reason: completion.userId === undefined ? 'no_account' : 'disabled' });
      }
      if (completion.ok) return reply.redirect(completion.redirectTo, 303);
      return pages.showLogin(reply, await interactions.load(request.raw, reply.raw, signIn.uid), { status: 403, message: t('login.noAccount') });
    },
  };
}
