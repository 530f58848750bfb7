import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { OidcConnection } from '../../connections/connection.js';
import type { ConnectionsOfType } from '../../connections/connection-service.js';
import { t } from '../../i18n/page-locale.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { PendingInteraction } from '../../oidc/interactions.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import { inEnglish } from '../account-refusal.js';
import { interactionParams } from '../route-schemas.js';
import type { HomeRealm, SignInContext, SignInMethod, SignInRoutes } from '../sign-in-method.js';
import { registerCallbackRoute, type CallbackDeps } from './callback-route.js';
import { connectionButtons } from '../connection-buttons.js';
import { connectionDepartures } from '../detour/connection-departures.js';
import type { Depart } from './depart.js';
import { connectionUnavailable, sendFailure, sendRefusal } from '../detour/detour-failures.js';
import type { UpstreamAccounts } from './upstream-accounts.js';

/** The connections the sign-in reads (the connections service). */
export type ConnectionDirectory = ConnectionsOfType<OidcConnection>;

export interface OidcMethodDeps extends CallbackDeps {
  connections: ConnectionDirectory;
  depart: Depart;
  accounts: UpstreamAccounts;
  /** More fixed routes of the method: Test connection's, the return from an upstream logout. */
  moreFixedRoutes: (routes: SignInRoutes) => void;
}

/** RFC 8176: the user authenticated through a federated identity provider. */
const federated = ['fed'];

/** `fed`, and `mfa` too when the connection trusts the upstream's report that it did MFA (its id_token's `amr`). */
function amrOf(connection: OidcConnection, claims: Record<string, unknown>): string[] {
  const upstream = claims.amr;
  return connection.trustUpstreamMfa && Array.isArray(upstream) && upstream.includes('mfa') ? [...federated, 'mfa'] : federated;
}

const completeQuery = z.object({ state: z.string().min(1).max(200) });

export type OidcMethod = SignInMethod & { homeRealm: HomeRealm };

/**
 * Signing in through upstream OpenID Connect providers (the connections): a button per enabled
 * connection, `connection=` on the authorization request and home-realm discovery depart to the
 * upstream; its callback proves an identity (callback-route.ts); the hop back completes the
 * sign-in under the connection's rule. See docs/architecture.md, "How a sign-in method's
 * callback finds its interaction".
 */
export function createOidcMethod(deps: OidcMethodDeps): OidcMethod {
  const { connections, depart, accounts, detours, binding } = deps;

  const signInThrough = (request: FastifyRequest, reply: FastifyReply, pending: PendingInteraction, connection: OidcConnection, loginHint: string | undefined) =>
    depart(request, reply, { purpose: 'sign_in', connection, uid: pending.uid, notAfter: pending.expiresAt, loginHint });
  const departures = connectionDepartures({
    find: (id) => connections.find(id),
    detours,
    signInThrough: (request, reply, pending, connection: OidcConnection) => signInThrough(request, reply, pending, connection, pending.loginHint),
  });
  const { enabled } = departures;

  return {
    id: 'oidc',
    loginSection: async (model) => connectionButtons(model, await connections.listEnabled()),
    shortcut: departures.shortcut,

    async homeRealm(request, reply, pending, identifier) {
      const address = normalizeIdentifier(identifier);
      const at = address.lastIndexOf('@');
      if (at < 1 || at === address.length - 1) return undefined;
      const connection = await connections.findByEmailDomain(address.slice(at + 1));
      if (!connection?.enabled) return undefined;
      return signInThrough(request, reply, pending, connection, identifier.trim());
    },

    interactionRoutes(routes, context) {
      departures.registerStart(routes, context);

      // A GET without CSRF token by design: a cross-site hop after the callback's 303, acting only on this browser's own detour.
      routes.get('/complete', { schema: { params: interactionParams, querystring: completeQuery } }, async (request, reply) =>
        complete(request, reply, context, request.params.uid, request.query.state));
    },

    fixedRoutes(routes) {
      registerCallbackRoute(routes, deps);
      deps.moreFixedRoutes(routes);
    },
  };

  /**
   * The hop back: the interaction is this browser's (the engine checks its cookie), the detour
   * is this browser's and this interaction's, proved and unused; then the connection's rule
   * gives the user, whose profile follows the upstream's when the connection says so, and the
   * login prompt is finished with amr `fed`.
   */
  async function complete(request: FastifyRequest, reply: FastifyReply, context: SignInContext, uid: string, state: string): Promise<FastifyReply> {
    const pending = await context.load(request, reply, uid);
    if (pending.prompt !== 'login') return reply.redirect(interactionPath(uid), 303);
    const taken = await detours.takeCompletion(state, binding.read(request), uid);
    const refused = deps.events.refusalsAt('oidc', { clientId: pending.clientId, clientAddress: request.clientIp });
    if (!taken.ok) return sendRefusal(reply, taken.refusal, taken.detour, refused(taken.detour?.connectionId));
    const { identity, connectionId } = taken.detour;
    const connection = await enabled(connectionId);
    if (!connection || !identity) return sendFailure(reply, connectionUnavailable(connectionId), { uid }, refused(connectionId));
    const key = { issuer: identity.issuer, subject: identity.subject };
    const decision = await accounts.decide(connection, key, identity.claims);
    if (decision.kind === 'refuse') {
      refused(connectionId)('account_refused', { message: inEnglish(decision.reason) });
      return context.showLoginPage(reply, pending, { status: 403, message: t(decision.reason.key, decision.reason.params) });
    }
    const user = await accounts.carryOut(connection, key, decision);
    const via = { method: 'oidc', connectionId } as const;
    // A user deleted since the decision: the seam's own refusal (403, no account) answers.
    if (!user) return context.completeSignIn(request, reply, { uid, amr: federated, as: { identity: key, whenUnlinked: { action: 'refuse' } }, via });
    const following = connection.updateProfile === 'on_login' && decision.kind !== 'provision' && !user.disabled;
    const amr = amrOf(connection, identity.claims);
    return context.completeSignIn(request, reply, { uid, amr, as: { user: following ? await accounts.follow(user, connection, identity.claims) : user }, via });
  }
}
