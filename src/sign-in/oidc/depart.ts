import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { connectionUrls, type OidcConnection } from '../../connections/connection.js';
import type { DetourPurpose } from '../../db/database.js';
import type { Clock } from '../../runtime/clock.js';
import type { BrowserBinding } from '../detour/browser-binding.js';
import { sendFailure } from '../detour/detour-failures.js';
import { upstreamFailure } from './upstream-failures.js';
import type { Detours } from '../detour/detours.js';
import type { SignInEvents } from '../sign-in-events.js';

/** The openid-client configuration of a connection (discovery or typed-in endpoints), cached by the connections side. */
export type UpstreamConfiguration = (connection: OidcConnection) => Promise<oidc.Configuration>;

export interface DepartDeps {
  detours: Detours;
  upstream: UpstreamConfiguration;
  publicOrigin: string;
  logger: Logger;
  clock: Clock;
  binding: BrowserBinding;
  /** A sign-in that cannot even leave (the upstream unreachable) is a failed sign-in; a test is not. */
  events: SignInEvents;
}

export interface Trip {
  purpose: DetourPurpose;
  connection: OidcConnection;
  /** The interaction the sign-in finishes; undefined for a test. */
  uid: string | undefined;
  /** Epoch milliseconds at which the interaction expires: the detour never outlives it. */
  notAfter: number | undefined;
  /** The application's login_hint, or the address typed on the login page. */
  loginHint: string | undefined;
}

/**
 * The departure to an upstream: its configuration first (an unreachable upstream stores
 * nothing), then the detour row and the browser's binding cookie, then 303 to the upstream's
 * authorization endpoint with PKCE (S256), state and nonce, and the login hint when the
 * connection forwards it.
 */
export function createDeparture({ detours, upstream, publicOrigin, logger, clock, binding: bindings, events }: DepartDeps) {
  return async function depart(request: FastifyRequest, reply: FastifyReply, trip: Trip): Promise<FastifyReply> {
    const { connection } = trip;
    let configuration: oidc.Configuration;
    try {
      configuration = await upstream(connection);
    } catch (error) {
      logger.warn({ err: error, connection: connection.id }, 'upstream configuration unavailable');
      return sendFailure(reply, upstreamFailure(connection.name, error), { uid: trip.uid }, (code) => {
        if (trip.purpose === 'sign_in') events.refused({ method: 'oidc', connectionId: connection.id, reason: code, clientAddress: request.clientIp });
      });
    }
    const { redirectUri } = connectionUrls(publicOrigin, connection.id);
    const binding = bindings.valueFor(request);
    const departed = await detours.departToUpstream({
      purpose: trip.purpose,
      interactionUid: trip.uid,
      connectionId: connection.id,
      redirectUri,
      binding,
      notAfter: trip.notAfter,
    });
    bindings.send(reply, binding, (departed.expiresAt - clock.now()) / 1000);
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: connection.scopes.join(' '),
      state: departed.state,
      nonce: departed.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(departed.codeVerifier),
      code_challenge_method: 'S256',
      ...(connection.forwardLoginHint && trip.loginHint ? { login_hint: trip.loginHint } : {}),
    });
    return reply.redirect(url.href, 303);
  };
}

export type Depart = ReturnType<typeof createDeparture>;
