import type { FastifyReply } from 'fastify';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { PendingInteraction } from '../../oidc/interactions.js';
import { describeScopes } from '../../scopes/describe-scopes.js';
import type { CustomScope } from '../../scopes/scope-service.js';
import type { LoginFailure, SignInMethod } from '../../sign-in/sign-in-method.js';
import type { UserService } from '../../users/user-service.js';
import { consentPage } from '../../views/consent-page.js';
import { loginErrorId, loginPage } from '../../views/login-page.js';
import { useLocale } from '../locale.js';
import type { Csrf } from './csrf.js';

export interface PromptPageDeps {
  csrf: Csrf;
  /** In the order the login page shows their sections. */
  methods: readonly SignInMethod[];
  users: Pick<UserService, 'findById'>;
  customScopes: () => CustomScope[];
}

function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** The page a pending interaction asks for: the login page with every method's section, or consent. */
export function createPromptPages({ csrf, methods, users, customScopes }: PromptPageDeps) {
  const frame = (pending: PendingInteraction) => ({
    csrfToken: csrf.tokenFor(pending.uid),
    applicationName: pending.clientName,
    abortAction: `${interactionPath(pending.uid)}/abort`,
  });

  async function showLogin(reply: FastifyReply, pending: PendingInteraction, failure?: LoginFailure): Promise<FastifyReply> {
    // The page is the interaction's, whatever form it answers: the switcher leads back to it.
    useLocale({ uiLocales: pending.uiLocales, switcherTarget: interactionPath(pending.uid) });
    const common = frame(pending);
    const section = {
      csrfToken: common.csrfToken,
      username: failure?.username ?? pending.loginHint,
      errorId: failure ? loginErrorId : undefined,
    };
    const render = (method: SignInMethod) => method.loginSection({ ...section, basePath: `${interactionPath(pending.uid)}/${method.id}` });
    const [sections, besideFirst] = await Promise.all([
      Promise.all(methods.filter((method) => !method.besideFirst).map(render)),
      Promise.all(methods.filter((method) => method.besideFirst).map(render)),
    ]);
    return sendHtml(reply, failure?.status ?? 200, loginPage({ ...common, error: failure?.message, sections, besideFirst }));
  }

  async function showConsent(reply: FastifyReply, pending: PendingInteraction): Promise<FastifyReply> {
    const user = pending.accountId ? await users.findById(pending.accountId) : undefined;
    useLocale({ uiLocales: pending.uiLocales, userLocale: user?.profile.locale, switcherTarget: interactionPath(pending.uid) });
    return sendHtml(reply, 200, consentPage({
      ...frame(pending),
      action: `${interactionPath(pending.uid)}/consent`,
      username: user?.username ?? '',
      scopes: describeScopes(pending.missingScopes, customScopes()),
      claims: pending.missingClaims,
    }));
  }

  return {
    showLogin,
    show: (reply: FastifyReply, pending: PendingInteraction): Promise<FastifyReply> => (pending.prompt === 'login' ? showLogin(reply, pending) : showConsent(reply, pending)),
  };
}

export type PromptPages = ReturnType<typeof createPromptPages>;
