import { errors, type KoaContextWithOIDC } from '../engine.js';

type Client = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/**
 * The scopes a token endpoint grant may give, checked as the authorization endpoint checks
 * them: a known scope outside the application's `scope` is invalid_scope, unknown scopes are
 * ignored, and offline_access counts only for an application with the refresh_token grant.
 */
export function grantedScopes(client: Client, requested: string | undefined, supported: readonly string[]): Set<string> {
  const known = new Set(supported);
  const allowed = client.scope ? new Set(client.scope.split(' ')) : known;
  const scopes = new Set<string>();
  for (const scope of (requested ?? '').split(' ')) {
    if (!known.has(scope)) continue;
    if (!allowed.has(scope)) throw new errors.InvalidScope('requested scope is not allowed', scope);
    if (scope === 'offline_access' && !client.grantTypeAllowed('refresh_token')) continue;
    scopes.add(scope);
  }
  return scopes;
}
