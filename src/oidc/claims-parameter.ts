import type { ScopeClaims } from '../scopes/scope-claims.js';
import { errors, type Configuration } from './engine.js';

type AssertClaimsParameter = NonNullable<NonNullable<NonNullable<Configuration['features']>['claimsParameter']>['assertClaimsParameter']>;

/**
 * Claims about the sign-in itself rather than the user's data: the engine sets them from the
 * session and asks no consent for them, so naming them releases nothing.
 */
const signInFacts = ['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss'];

/**
 * The claims an application may ask for by name: those released by the scopes it may request,
 * which are every scope the server knows when its declaration sets no `scope`.
 */
export function claimsApplicationMayRequest(applicationScope: string | undefined, claimsOf: ScopeClaims): Set<string> {
  const scopes = applicationScope ? applicationScope.split(' ') : Object.keys(claimsOf);
  return new Set([...signInFacts, ...scopes.flatMap((scope) => claimsOf[scope] ?? [])]);
}

/**
 * Refuses a `claims` request parameter naming a claim the application could not get through
 * its scopes, so that the parameter never widens what `scope` limits. The answer is
 * `invalid_request` (RFC 6749 §4.1.2.1, "an invalid parameter value"): `invalid_scope` is about
 * the `scope` parameter, which is valid here. Also keeps the engine's own check that every
 * member is null or an object.
 */
export function assertClaimsParameter(claimsOf: ScopeClaims): AssertClaimsParameter {
  return (_ctx, claims, client) => {
    const allowed = claimsApplicationMayRequest(client.scope, claimsOf);
    for (const container of ['userinfo', 'id_token'] as const) {
      const requested = claims[container];
      if (requested === undefined) continue;
      const refused: string[] = [];
      for (const [name, value] of Object.entries(requested)) {
        if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
          throw new errors.InvalidRequest(`claims.${container} members must be null or objects`);
        }
        if (!allowed.has(name)) refused.push(`"${name}"`);
      }
      if (refused.length > 0) {
        throw new errors.InvalidRequest(`claims.${container}: ${refused.join(', ')} ${refused.length === 1 ? 'is' : 'are'} not released by any scope this application may request`);
      }
    }
  };
}
