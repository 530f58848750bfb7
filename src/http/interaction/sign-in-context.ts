import type { Interactions } from '../../oidc/interactions.js';
import type { CompleteSignIn } from '../../sign-in/complete-sign-in.js';
import type { SignInContext } from '../../sign-in/sign-in-method.js';
import type { Csrf } from './csrf.js';
import type { PromptPages } from './prompt-pages.js';

/** Shown when a method proved an identity that no enabled user is, or may be, linked to. */
export const noAccountMessage = 'You signed in, but that sign-in is not linked to an active account here. Ask an administrator to link it.';

/** What every sign-in method's routes get from the interaction routes. */
export function createSignInContext(deps: { interactions: Interactions; csrf: Csrf; pages: PromptPages; completeSignIn: CompleteSignIn }): SignInContext {
  const { interactions, csrf, pages } = deps;
  return {
    load: (request, reply, uid) => interactions.load(request.raw, reply.raw, uid),
    verifyCsrf: (request, uid, token) => csrf.verify(request, uid, token),
    showLoginPage: pages.showLogin,
    async completeSignIn(request, reply, signIn) {
      const completion = await deps.completeSignIn(request.raw, reply.raw, signIn);
      if (completion.ok) return reply.redirect(completion.redirectTo, 303);
      return pages.showLogin(reply, await interactions.load(request.raw, reply.raw, signIn.uid), { status: 403, message: noAccountMessage });
    },
  };
}
