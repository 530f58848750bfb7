import * as oidc from 'openid-client';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import { t } from '../../i18n/page-locale.js';
import type { DetourFailure } from '../detour/detour-failures.js';

/**
 * The error an upstream sent back to the callback (RFC 6749 §4.1.2.1): the person refused or
 * cancelled there (`upstream_denied`), or it could not serve the request (`server_error`,
 * `invalid_scope`, `unauthorized_client`...): `upstream_failed`, the code every other OAuth error
 * answer of an upstream has (connections/upstream.ts).
 */
export function upstreamSaidNo(connectionName: string, error: string, description: string | undefined): DetourFailure {
  const denied = ['access_denied', 'login_required', 'consent_required', 'interaction_required', 'account_selection_required'].includes(error);
  const said = description ? `${description} (${error})` : error;
  const words = { connection: connectionName, said };
  return denied
    ? { code: 'upstream_denied', message: t('upstream.denied', words) }
    : { code: 'upstream_failed', message: t('upstream.failed', words) };
}

/**
 * What went wrong talking to the upstream (discovery, token, userinfo), in terms an
 * administrator can act on: its address refused, the client credentials refused, an answer that
 * failed the checks (issuer, audience, signature, nonce, expiry), or unreachable. The safe
 * fetch's own refusals may arrive wrapped by openid-client, so the cause chain is searched first.
 * Said in the page's language; what the upstream or openid-client said stays as it was written.
 */
export function upstreamFailure(connectionName: string, error: unknown): DetourFailure {
  const ours = causes(error).find(isGatehouseError);
  if (ours?.code === 'upstream_address_refused') {
    return { code: 'upstream_address_refused', message: t('upstream.addressRefused', { connection: connectionName }) };
  }
  // A server that authenticates clients with HTTP Basic answers a wrong secret with a challenge (RFC 6749 §5.2).
  const challenged = error instanceof oidc.WWWAuthenticateChallengeError ? error.cause.find((challenge) => challenge.parameters.error)?.parameters.error : undefined;
  if (!ours && ((error instanceof oidc.ResponseBodyError && error.error === 'invalid_client') || challenged === 'invalid_client')) {
    return { code: 'upstream_client_refused', message: t('upstream.clientRefused', { connection: connectionName }) };
  }
  if (!ours && (error instanceof oidc.ResponseBodyError || challenged !== undefined)) {
    // The upstream's own OAuth error, e.g. invalid_grant: upstream_failed, as connections/upstream.ts names it.
    const said = error instanceof oidc.ResponseBodyError ? error.error_description ?? error.error : challenged;
    return { code: 'upstream_failed', message: t('upstream.refused', { connection: connectionName, said: said ?? '' }) };
  }
  if (!ours && (error instanceof oidc.ClientError || error instanceof oidc.AuthorizationResponseError)) {
    // openid-client's own message is generic ("unexpected JWT claim value encountered"); its cause names the claim.
    const detail = error.cause instanceof Error ? error.cause.message : error.message;
    return { code: 'upstream_response_invalid', message: t('upstream.responseInvalid', { connection: connectionName, detail }) };
  }
  return { code: 'upstream_failed', message: t('upstream.unreachable', { connection: connectionName }) };
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let cause = error; cause !== undefined && chain.length < 10; cause = cause instanceof Error ? cause.cause : undefined) chain.push(cause);
  return chain;
}
