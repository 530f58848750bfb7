import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OidcConnection } from '../../connections/connection.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { SignInRoutes } from '../sign-in-method.js';
import type { BrowserBinding } from '../detour/browser-binding.js';
import type { UpstreamConfiguration } from './depart.js';
import { connectionUnavailable, sendFailure, sendRefusal, type FailureReport } from '../detour/detour-failures.js';
import { upstreamFailure, upstreamSaidNo } from './upstream-failures.js';
import type { Detour, Detours, ProvedIdentity } from '../detour/detours.js';
import type { SignInEvents } from '../sign-in-events.js';
import { proveIdentity } from './prove-identity.js';

export interface CallbackDeps {
  detours: Detours;
  connections: { find(id: string): Promise<OidcConnection | undefined> };
  upstream: UpstreamConfiguration;
  logger: Logger;
  binding: BrowserBinding;
  events: SignInEvents;
}

export const connectionParams = z.object({ id: z.string().min(1).max(64) });

/** An authorization response (RFC 6749 §4.1.2, RFC 9207's iss); each parameter once. */
const authorizationResponse = z.object({
  state: z.string().min(1).max(200).optional(),
  code: z.string().max(4096).optional(),
  iss: z.string().max(1000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

/** Where the browser goes once the identity is stored: the hop back under its interaction, or a test's result page. */
export function hopBack(detour: Detour, state: string): string {
  const query = `?state=${encodeURIComponent(state)}`;
  return detour.interactionUid === undefined
    ? `/login/oidc/${encodeURIComponent(detour.connectionId)}/test/result${query}`
    : `${interactionPath(detour.interactionUid)}/oidc/complete${query}`;
}

/**
 * The fixed redirect URI `/login/oidc/{id}/callback`, one per connection. The detour is found
 * by `state`, must be this browser's (binding cookie), unexpired and unused, and is taken before
 * anything is redeemed; then the upstream's answer becomes an identity stored on the detour, and
 * the browser hops back under its interaction, where the sign-in is completed. A test detour
 * goes to a connection even while it is disabled: an administrator tests before enabling.
 */
export function registerCallbackRoute(routes: SignInRoutes, { detours, connections, upstream, logger, binding, events }: CallbackDeps): void {
  routes.get('/login/oidc/:id/callback', { schema: { params: connectionParams, querystring: authorizationResponse } }, async (request, reply) => {
    const { id } = request.params;
    const { state, error, error_description: description } = request.query;
    /** Every refusal here is a sign-in that failed, recorded with its code; an administrator's Test connection is no sign-in. */
    const report = (detour: Detour | undefined, details?: Record<string, unknown>): FailureReport => (code) => {
      if (detour?.purpose !== 'test') events.refused({ method: 'oidc', connectionId: id, reason: code, clientAddress: request.clientIp, ...(details ? { details } : {}) });
    };
    if (state === undefined) return sendRefusal(reply, 'unknown', undefined, report(undefined));
    const taken = await detours.takeCallback(state, binding.read(request));
    if (!taken.ok) return sendRefusal(reply, taken.refusal, taken.detour, report(taken.detour));
    const { detour } = taken;
    const wayBack = { uid: detour.interactionUid };
    const connection = await connections.find(detour.connectionId);
    if (detour.connectionId !== id || !connection || (!connection.enabled && detour.purpose !== 'test')) {
      return sendFailure(reply, connectionUnavailable(id), wayBack, report(detour));
    }
    if (error !== undefined) return sendFailure(reply, upstreamSaidNo(connection.name, error, description), wayBack, report(detour, { upstream_error: error }));
    let identity: ProvedIdentity;
    try {
      identity = await proveIdentity(await upstream(connection), connection, detour, { state, query: rawQuery(request) });
    } catch (failure) {
      logger.warn({ err: failure, connection: connection.id }, 'upstream sign-in failed at the callback');
      return sendFailure(reply, upstreamFailure(connection.name, failure), wayBack, report(detour));
    }
    await detours.recordIdentity(detour, identity);
    return reply.redirect(hopBack(detour, state), 303);
  });
}

/** The query exactly as the upstream sent it, for openid-client's own checks of the response. */
function rawQuery(request: FastifyRequest): URLSearchParams {
  return new URLSearchParams(request.url.split('?')[1] ?? '');
}
