import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { interactionPath, interactionRoute } from '../../oidc/interaction-path.js';
import type { Interactions, PendingInteraction } from '../../oidc/interactions.js';
import type { CustomScope } from '../../scopes/scope-service.js';
import { describeScopes } from '../../scopes/describe-scopes.js';
import type { PasswordSignIn } from '../../sign-in/password-sign-in.js';
import type { UserService } from '../../users/user-service.js';
import { consentPage } from '../../views/consent-page.js';
import { loginPage } from '../../views/login-page.js';
import type { Csrf } from './csrf.js';

export interface InteractionRouteDeps {
  interactions: Interactions;
  csrf: Csrf;
  signIn: PasswordSignIn;
  users: UserService;
  customScopes: () => CustomScope[];
}

/** The one message for every failed sign-in, so that it reveals nothing about the account. */
export const signInFailedMessage = 'The username or password is incorrect. After repeated failures, sign-in is paused for a few minutes.';

/** Throttling is per network address, not per account, so saying so reveals nothing about any account. */
export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} seconds` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return `Too many failed sign-ins came from your network. Wait ${wait}, then try again.`;
}

const params = z.object({ uid: z.string().min(1).max(200) });
const loginForm = z.object({
  csrf: z.string().optional(),
  username: z.string().max(1000).default(''),
  password: z.string().max(4096).default(''),
});
const csrfForm = z.object({ csrf: z.string().optional() }).passthrough();

function formOf<T extends z.ZodTypeAny>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new GatehouseError('invalid_request', `The form is invalid: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function uidOf(request: FastifyRequest): string {
  const parsed = params.safeParse(request.params);
  if (!parsed.success) throw new GatehouseError('not_found', 'No such sign-in request.');
  return parsed.data.uid;
}

function sendHtml(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** Gatehouse's sign-in and consent pages, at the URL oidc-provider sends the browser to. */
export function registerInteractionRoutes(app: FastifyInstance, deps: InteractionRouteDeps): void {
  const { interactions, csrf } = deps;

  async function renderPrompt(reply: FastifyReply, pending: PendingInteraction, status = 200, error?: string, username?: string) {
    const common = { csrfToken: csrf.tokenFor(pending.uid), applicationName: pending.clientName, abortAction: `${interactionPath(pending.uid)}/abort` };
    if (pending.prompt === 'login') {
      return sendHtml(reply, status, loginPage({ ...common, action: `${interactionPath(pending.uid)}/login`, error, username: username ?? pending.loginHint }));
    }
    const user = pending.accountId ? await deps.users.findById(pending.accountId) : undefined;
    return sendHtml(reply, status, consentPage({
      ...common,
      action: `${interactionPath(pending.uid)}/consent`,
      username: user?.username ?? '',
      scopes: describeScopes(pending.missingScopes, deps.customScopes()),
      claims: pending.missingClaims,
    }));
  }

  app.get(interactionRoute, async (request, reply) => {
    const uid = uidOf(request);
    return renderPrompt(reply, await interactions.load(request.raw, reply.raw, uid));
  });

  app.post(`${interactionRoute}/login`, async (request, reply) => {
    const uid = uidOf(request);
    const pending = await interactions.load(request.raw, reply.raw, uid);
    const form = formOf(loginForm, request.body);
    csrf.verify(request, uid, form.csrf);
    if (pending.prompt !== 'login') return reply.redirect(interactionPath(uid), 303);
    const outcome = await deps.signIn({ identifier: form.username, password: form.password, clientIp: request.clientIp });
    if (!outcome.ok && outcome.reason === 'throttled') {
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      return renderPrompt(reply, pending, 429, tooManyAttemptsMessage(outcome.retryAfterSeconds), form.username);
    }
    if (!outcome.ok) return renderPrompt(reply, pending, 401, signInFailedMessage, form.username);
    return reply.redirect(await interactions.finishLogin(request.raw, reply.raw, uid, outcome.user.id, ['pwd']), 303);
  });

  app.post(`${interactionRoute}/consent`, async (request, reply) => {
    const uid = uidOf(request);
    csrf.verify(request, uid, formOf(csrfForm, request.body).csrf);
    return reply.redirect(await interactions.finishConsent(request.raw, reply.raw, uid), 303);
  });

  app.post(`${interactionRoute}/abort`, async (request, reply) => {
    const uid = uidOf(request);
    csrf.verify(request, uid, formOf(csrfForm, request.body).csrf);
    return reply.redirect(await interactions.abort(request.raw, reply.raw, uid), 303);
  });
}
