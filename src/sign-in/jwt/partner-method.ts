import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { JwtConnection } from '../../connections/connection.js';
import type { ConnectionsOfType } from '../../connections/connection-service.js';
import { t } from '../../i18n/page-locale.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { UserService } from '../../users/user-service.js';
import { inEnglish } from '../account-refusal.js';
import { connectionButtons } from '../connection-buttons.js';
import { connectionDepartures } from '../detour/connection-departures.js';
import { connectionUnavailable, sendFailure, sendRefusal } from '../detour/detour-failures.js';
import type { PlainSession } from '../plain-session.js';
import { interactionParams } from '../route-schemas.js';
import type { SignInContext, SignInMethod, SignInRoutes } from '../sign-in-method.js';
import { partnerParams, registerPartnerCallback, type PartnerCallbackDeps } from './callback-route.js';
import type { DepartToPartner } from './depart-to-partner.js';
import { applyPartnerClaims } from './apply-partner-claims.js';
import type { PartnerAccounts } from './partner-accounts.js';
import type { PartnerClaims } from './partner-claims.js';

/** The partners' connections the method reads (the `jwt` ones of the connections service). */
export type PartnerDirectory = Pick<ConnectionsOfType<JwtConnection>, 'find' | 'listEnabled'>;

export interface PartnerMethodDeps extends PartnerCallbackDeps {
  partners: PartnerDirectory;
  /** Where the token's claims are written on an existing user. */
  users: Pick<UserService, 'findByIdentifier' | 'updateUser'>;
  depart: DepartToPartner;
  accounts: PartnerAccounts;
  plainSession: PlainSession;
}

/** RFC 8176: the person authenticated at another party, which vouches for them with its signature. */
const federated = ['fed'];

const completeQuery = z.object({ state: z.string().min(1).max(200), ticket: z.string().min(1).max(200).optional() });
const plainSessionQuery = z.object({ returnUrl: z.string().max(2000).optional() });

/**
 * Signing in with a partner's signed JWT (seed 003): a button per enabled `jwt` connection,
 * `connection=` on the authorization request and `/login/sso/{id}` depart to the partner's
 * sign-in page; its return (callback-route.ts) proves an identity with a verified token; the
 * hop back completes the sign-in by the connection's rule, with the token's claims on the user.
 */
export function createPartnerMethod(deps: PartnerMethodDeps): SignInMethod {
  const { partners, detours, binding, depart, accounts } = deps;

  const departures = connectionDepartures({
    find: (id) => partners.find(id),
    detours,
    signInThrough: (request, reply, pending, connection: JwtConnection) =>
      depart(reply, { connection, uid: pending.uid, notAfter: pending.expiresAt, binding: binding.valueFor(request) }),
  });
  const { enabled } = departures;

  return {
    id: 'jwt',
    loginSection: async (model) => connectionButtons(model, await partners.listEnabled()),
    shortcut: departures.shortcut,

    interactionRoutes(routes, context) {
      departures.registerStart(routes, context);

      // A GET without CSRF token by design: a cross-site hop after the callback's 303, acting only on this browser's own detour.
      routes.get('/complete', { schema: { params: interactionParams, querystring: completeQuery } }, async (request, reply) =>
        complete(request, reply, context, request.params.uid, request.query));
    },

    fixedRoutes(routes) {
      registerPartnerCallback(routes, deps);
      registerPlainSessionStart(routes);
    },
  };

  /** `/login/sso/{id}?returnUrl=/path`: a sign-in to Gatehouse itself through the partner (seed 003's hard-coded link). */
  function registerPlainSessionStart(routes: SignInRoutes): void {
    routes.get('/login/sso/:id', { schema: { params: partnerParams, querystring: plainSessionQuery } }, async (request, reply) => {
      const { id } = request.params;
      if (!(await enabled(id))) return sendFailure(reply, connectionUnavailable(id), { uid: undefined });
      return deps.plainSession.start(reply, { connection: id }, request.query.returnUrl);
    });
  }

  /**
   * The hop back: the interaction is this browser's (the engine checks its cookie), the detour
   * is this browser's (binding cookie) and this interaction's, proved, unused, and returned in
   * this browser (the return's ticket); then the
   * connection's rule gives the user, whose profile takes the token's claims, and the login
   * prompt is finished with amr `fed`.
   */
  async function complete(request: FastifyRequest, reply: FastifyReply, context: SignInContext, uid: string, { state, ticket }: z.output<typeof completeQuery>): Promise<FastifyReply> {
    const pending = await context.load(request, reply, uid);
    if (pending.prompt !== 'login') return reply.redirect(interactionPath(uid), 303);
    const taken = await detours.takeCompletion(state, binding.read(request), uid, ticket);
    const refused = deps.events.refusalsAt('jwt', { clientId: pending.clientId, clientAddress: request.clientIp });
    if (!taken.ok) return sendRefusal(reply, taken.refusal, taken.detour, refused(taken.detour?.connectionId));
    const { identity, connectionId } = taken.detour;
    const connection = await enabled(connectionId);
    if (!connection || !identity) return sendFailure(reply, connectionUnavailable(connectionId), { uid }, refused(connectionId));
    const claims = identity.claims as unknown as PartnerClaims;
    const decision = await accounts.decide(connection, claims);
    if (decision.kind === 'refuse') {
      refused(connectionId)('account_refused', { message: inEnglish(decision.reason) });
      return context.showLoginPage(reply, pending, { status: 403, message: t(decision.reason.key, decision.reason.params) });
    }
    const user = await accounts.carryOut(connection, claims, decision);
    const via = { method: 'jwt', connectionId } as const;
    // Linked elsewhere meanwhile, or deleted since the decision: the seam's own refusal (403, no account) answers.
    if (!user) return context.completeSignIn(request, reply, { uid, amr: federated, as: { identity: { issuer: identity.issuer, subject: identity.subject }, whenUnlinked: { action: 'refuse' } }, via });
    const following = decision.kind !== 'provision' && !user.disabled;
    return context.completeSignIn(request, reply, { uid, amr: federated, as: { user: following ? await applyPartnerClaims(deps.users, user, connection, claims) : user }, via });
  }
}
