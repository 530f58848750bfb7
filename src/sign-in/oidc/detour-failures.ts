import type { FastifyReply } from 'fastify';
import * as oidc from 'openid-client';
import { errorCodes, type ErrorCode } from '../../errors/codes.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import { interactionPath } from '../../oidc/interaction-path.js';
import { signInFailedPage } from '../../views/sign-in-failed-page.js';
import type { Detour, DetourRefusal } from './detours.js';

/**
 * Why a trip through an upstream cannot go on: one of Gatehouse's error codes (docs/errors.md)
 * and the words for the person signing in. The status is the code's own (`errorCodes`), never
 * stated beside it, so the two cannot disagree. Every one of them leaves users, identity links
 * and sessions as they were.
 */
export interface DetourFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Where the failure page leads back to: the interaction's login page, when this browser holds it. */
export type WayBack = { uid: string | undefined };

export function sendFailure(reply: FastifyReply, failure: DetourFailure, { uid }: WayBack): FastifyReply {
  return reply
    .code(errorCodes[failure.code].status)
    .type('text/html; charset=utf-8')
    .send(signInFailedPage({ message: failure.message, code: failure.code, loginPage: uid === undefined ? undefined : interactionPath(uid) }));
}

const refusals: Record<DetourRefusal, DetourFailure> = {
  unknown: { code: 'detour_unknown', message: 'This sign-in response does not belong to any sign-in Gatehouse started, or it has expired.' },
  other_browser: {
    code: 'detour_other_browser',
    message: 'This sign-in was started in another browser, or this browser no longer has the cookie it was given. Finish it in the browser you started in.',
  },
  expired: { code: 'detour_expired', message: 'The sign-in took too long and has expired. Start it again.' },
  used: { code: 'detour_used', message: 'This sign-in response was used already. Start the sign-in again.' },
};

/** A return the detour store refused, on the failure page with the way back this browser still has. */
export function sendRefusal(reply: FastifyReply, refusal: DetourRefusal, detour: Detour | undefined): FastifyReply {
  // Another browser holds neither the binding nor the interaction's cookie: the login page would not open there.
  const uid = refusal === 'unknown' || refusal === 'other_browser' ? undefined : detour?.interactionUid;
  return sendFailure(reply, refusals[refusal], { uid });
}

export function connectionUnavailable(connectionId: string): DetourFailure {
  return { code: 'connection_unavailable', message: `The sign-in option "${connectionId}" is not available.` };
}

/**
 * The error an upstream sent back to the callback (RFC 6749 §4.1.2.1): the person refused or
 * cancelled there (`upstream_denied`), or it could not serve the request (`server_error`,
 * `invalid_scope`, `unauthorized_client`...): `upstream_failed`, the code every other OAuth error
 * answer of an upstream has (connections/upstream.ts).
 */
export function upstreamSaidNo(connectionName: string, error: string, description: string | undefined): DetourFailure {
  const denied = ['access_denied', 'login_required', 'consent_required', 'interaction_required', 'account_selection_required'].includes(error);
  const said = description ? `${description} (${error})` : error;
  return {
    code: denied ? 'upstream_denied' : 'upstream_failed',
    message: denied ? `${connectionName} did not sign you in: ${said}.` : `${connectionName} could not sign you in: ${said}.`,
  };
}

/**
 * What went wrong talking to the upstream (discovery, token, userinfo), in terms an
 * administrator can act on: its address refused, the client credentials refused, an answer that
 * failed the checks (issuer, audience, signature, nonce, expiry), or unreachable. The safe
 * fetch's own refusals may arrive wrapped by openid-client, so the cause chain is searched first.
 */
export function upstreamFailure(connectionName: string, error: unknown): DetourFailure {
  const ours = causes(error).find(isGatehouseError);
  if (ours?.code === 'upstream_address_refused') {
    return { code: 'upstream_address_refused', message: `${connectionName} is at an address Gatehouse may not reach. An administrator must check the connection.` };
  }
  // A server that authenticates clients with HTTP Basic answers a wrong secret with a challenge (RFC 6749 §5.2).
  const challenged = error instanceof oidc.WWWAuthenticateChallengeError ? error.cause.find((challenge) => challenge.parameters.error)?.parameters.error : undefined;
  if (!ours && ((error instanceof oidc.ResponseBodyError && error.error === 'invalid_client') || challenged === 'invalid_client')) {
    return {
      code: 'upstream_client_refused',
      message: `${connectionName} did not accept Gatehouse's client ID and secret. An administrator must check the connection's credentials.`,
    };
  }
  if (!ours && (error instanceof oidc.ResponseBodyError || challenged !== undefined)) {
    // The upstream's own OAuth error, e.g. invalid_grant: upstream_failed, as connections/upstream.ts names it.
    const said = error instanceof oidc.ResponseBodyError ? error.error_description ?? error.error : challenged;
    return { code: 'upstream_failed', message: `${connectionName} refused to complete the sign-in: ${said}.` };
  }
  if (!ours && (error instanceof oidc.ClientError || error instanceof oidc.AuthorizationResponseError)) {
    // openid-client's own message is generic ("unexpected JWT claim value encountered"); its cause names the claim.
    const detail = error.cause instanceof Error ? error.cause.message : error.message;
    return { code: 'upstream_response_invalid', message: `The answer from ${connectionName} did not pass Gatehouse's checks (${detail}), so it was not trusted.` };
  }
  return {
    code: 'upstream_failed',
    message: `${connectionName} could not be reached, or did not answer as an OpenID Connect provider does. Try again in a moment; if it keeps happening, Gatehouse's log names the reason for an administrator.`,
  };
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let cause = error; cause !== undefined && chain.length < 10; cause = cause instanceof Error ? cause.cause : undefined) chain.push(cause);
  return chain;
}
