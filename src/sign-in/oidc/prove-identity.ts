import * as oidc from 'openid-client';
import type { OidcConnection } from '../../connections/connection.js';
import type { Detour, ProvedIdentity } from '../detour/detours.js';
import { lacksClaims } from './upstream-claims.js';

/**
 * The upstream's authorization response turned into a proved identity. openid-client checks the
 * response (`state`, and `iss` per RFC 9207 when the upstream advertises
 * authorization_response_iss_parameter_supported), redeems the code with the PKCE verifier and
 * the connection's client authentication, and validates the id_token: issuer, audience,
 * signature from the upstream's JWKS (the configuration asks for it: see upstream.ts), expiry
 * and nonce. Userinfo is asked (for the id_token's
 * subject) only when the id_token lacks a claim the connection reads; the id_token wins where
 * both say something. Throws what openid-client throws; the caller words it.
 */
export async function proveIdentity(
  configuration: oidc.Configuration,
  connection: OidcConnection,
  detour: Detour,
  { state, query }: { state: string; query: URLSearchParams },
): Promise<ProvedIdentity> {
  if (detour.codeVerifier === undefined || detour.nonce === undefined) throw new oidc.ClientError('the sign-in was not started as one through an OpenID Connect provider');
  // The URL the upstream redirected to as registered, whatever address this instance was reached at.
  const currentUrl = new URL(detour.redirectUri);
  currentUrl.search = query.toString();
  const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
    pkceCodeVerifier: detour.codeVerifier,
    expectedState: state,
    expectedNonce: detour.nonce,
    idTokenExpected: true,
  });
  const idToken = tokens.claims();
  if (!idToken || !tokens.id_token) throw new oidc.ClientError('the token response carries no id_token');
  let claims: Record<string, unknown> = { ...idToken };
  if (lacksClaims(connection, claims) && configuration.serverMetadata().userinfo_endpoint) {
    // How the person signed in is the id_token's to say (its amr, acr): userinfo describes the person, not the sign-in.
    const { amr: _amr, acr: _acr, ...userinfo } = await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
    claims = { ...userinfo, ...idToken };
  }
  return { issuer: idToken.iss, subject: idToken.sub, claims, idToken: tokens.id_token };
}
