import type { ScopeClaims } from '../scopes/scope-claims.js';
import type { KoaContextWithOIDC } from './engine.js';
import { authorizationEndpointIssuesIdTokenAlone } from './engine-internals.js';

/** The client metadata (a Gatehouse extension) naming scopes whose claims also go into the id_token. */
export const idTokenClaimsScopesProperty = 'id_token_claims_scopes';

/**
 * Which of the user's claims an id_token carries. Userinfo releases every claim of the granted
 * scopes; the id_token, which applications pass around, carries `sub` plus what was asked for
 * it: claims named in the `claims` parameter, the claims of scopes the application lists in
 * `id_token_claims_scopes`, and, when no access token comes with it (response_type=id_token),
 * every granted scope's claims, as OpenID Connect Core §5.4 requires.
 */
export function idTokenClaimNames(
  ctx: KoaContextWithOIDC,
  grantedScope: string,
  requested: Record<string, unknown> | undefined,
  claimsOf: ScopeClaims,
): Set<string> {
  const names = new Set(['sub', ...Object.keys(requested ?? {})]);
  const granted = grantedScope.split(' ').filter(Boolean);
  const listed = applicationChoice(ctx);
  const chosen = authorizationEndpointIssuesIdTokenAlone(ctx) ? granted : granted.filter((scope) => listed.has(scope));
  for (const scope of chosen) for (const claim of claimsOf[scope] ?? []) names.add(claim);
  return names;
}

function applicationChoice(ctx: KoaContextWithOIDC): Set<string> {
  const listed = ctx.oidc?.client?.[idTokenClaimsScopesProperty];
  return new Set(Array.isArray(listed) ? (listed as string[]) : []);
}
