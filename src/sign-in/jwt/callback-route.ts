import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { partnerIssuer, type JwtConnection } from '../../connections/connection.js';
import type { PartnerKeys } from '../../connections/partner-keys.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { Clock } from '../../runtime/clock.js';
import { connectionUnavailable, sendFailure, sendRefusal, type FailureReport } from '../detour/detour-failures.js';
import type { BrowserBinding } from '../detour/browser-binding.js';
import type { Detours } from '../detour/detours.js';
import { formBody } from '../route-schemas.js';
import type { SignInEvents } from '../sign-in-events.js';
import type { SignInRoutes } from '../sign-in-method.js';
import { rememberTokenId } from './check-replay.js';
import { isRefusal, type PartnerClaims } from './partner-claims.js';
import { refuse, type TokenRefusal } from './token-refusal.js';
import { sendTokenRefusal } from './token-refusal-page.js';
import { verifyPartnerToken } from './verify-token.js';

export interface PartnerCallbackDeps {
  detours: Detours;
  binding: BrowserBinding;
  partners: { find(id: string): Promise<JwtConnection | undefined> };
  keys: PartnerKeys;
  clock: Clock;
  logger: Logger;
  events: SignInEvents;
}

export const partnerParams = z.object({ id: z.string().min(1).max(64) });

/** Bounded well above the 8 KiB a token may have, so that a larger one is refused by name (token_too_large), not by the schema. */
const tokenField = z.string().max(64 * 1024).optional();
const stateField = z.string().min(1).max(200).optional();
const callbackQuery = z.object({ state: stateField, token: tokenField });
const callbackForm = formBody({ state: stateField, token: tokenField });

/**
 * Where the browser goes once the identity is stored: the hop back under its interaction, where
 * its cookies are sent again, with the return's one-time ticket, which only this browser gets.
 */
export const partnerHopBack = (uid: string, state: string, ticket: string) =>
  `${interactionPath(uid)}/jwt/complete?${new URLSearchParams({ state, ticket }).toString()}`;

/**
 * The partner's return, `/login/jwt/{id}?state=…` with `token` in the query (GET) or the form
 * (POST, e.g. an auto-submitting form): the state names a sign-in of this connection, unexpired
 * and unused, and a GET must come from the browser that left; the token is verified; then, in
 * one transaction, its id is remembered (single use) and the sign-in taken with the identity it
 * proved. A refused token changes nothing. The browser then hops back under its interaction with
 * a one-time ticket, where its binding cookie is checked again, and checked at all after a POST
 * (a cross-site POST carries no Lax cookie: docs/architecture.md). The ticket keeps a sign-in the
 * partner completed in one browser (which posted to a callback URL someone else gave it) from
 * being finished in the browser that left with that URL.
 */
export function registerPartnerCallback(routes: SignInRoutes, deps: PartnerCallbackDeps): void {
  // A redirect is a top-level GET, which brings the binding cookie (SameSite=Lax): checked at once.
  routes.get('/login/jwt/:id', { schema: { params: partnerParams, querystring: callbackQuery } }, async (request, reply) =>
    callback(reply, request.clientIp, request.params.id, request.query.state, request.query.token, deps.binding.read(request)));
  routes.post('/login/jwt/:id', { schema: { params: partnerParams, querystring: callbackQuery, body: callbackForm } }, async (request, reply) =>
    callback(reply, request.clientIp, request.params.id, request.body.state ?? request.query.state, request.body.token ?? request.query.token, 'not_sent'));

  async function callback(reply: FastifyReply, clientAddress: string, id: string, state: string | undefined, token: string | undefined, binding: string | undefined | 'not_sent') {
    const { detours, partners, keys, clock, logger, events } = deps;
    // Every refusal here is a partner sign-in that failed: the page's code, or the token's reason with what exactly failed (never the token).
    const report: FailureReport = (code) => events.refused({ method: 'jwt', connectionId: id, reason: code, clientAddress });
    const reportToken = ({ reason, detail }: TokenRefusal) => events.refused({ method: 'jwt', connectionId: id, reason, clientAddress, details: { detail } });
    if (state === undefined) return sendRefusal(reply, 'unknown', undefined, report);
    const found = await detours.findPartnerReturn(state, id, binding);
    if (!found.ok) return sendRefusal(reply, found.refusal, found.detour, report);
    const { detour } = found;
    const wayBack = { uid: detour.interactionUid };
    const connection = await partners.find(id);
    if (!connection?.enabled) return sendFailure(reply, connectionUnavailable(id), wayBack, report);
    if (token === undefined || token === '') return sendTokenRefusal(reply, logger, connection, refuse('token_missing', 'the return carries no "token" parameter'), wayBack, reportToken);
    const verified = await verifyPartnerToken(token, connection, keys, clock);
    if (isRefusal(verified)) return sendTokenRefusal(reply, logger, connection, verified, wayBack, reportToken);
    const taken = await detours.takePartnerReturn(detour, provedBy(connection, verified), (trx) => rememberTokenId(trx, connection, verified));
    if (!taken.taken && taken.outcome === 'refused') return sendTokenRefusal(reply, logger, connection, refuse('jti_replayed', 'this connection accepted a token with this "jti" before'), wayBack, reportToken);
    if (!taken.taken) return sendRefusal(reply, 'used', detour, report);
    logger.info({ connection: connection.id }, 'partner sign-in token accepted');
    return reply.redirect(partnerHopBack(detour.interactionUid!, state, taken.ticket), 303);
  }
}

/** The identity the token proved, kept (sealed) on the detour until the hop back. */
function provedBy(connection: JwtConnection, claims: PartnerClaims) {
  return { issuer: partnerIssuer(connection), subject: claims.sub ?? '', claims: { ...claims }, idToken: undefined };
}
