import type { CustomScope } from './scope-service.js';
import { standardScopeNames, standardScopes } from './standard-scopes.js';

/** Scope name → the claims it releases: the standard scopes that release any, then the custom ones. */
export type ScopeClaims = Readonly<Record<string, readonly string[]>>;

export function scopeClaims(customScopes: readonly CustomScope[]): ScopeClaims {
  const claims: Record<string, readonly string[]> = {};
  for (const name of standardScopeNames) {
    if (standardScopes[name].claims.length > 0) claims[name] = standardScopes[name].claims;
  }
  for (const scope of customScopes) claims[scope.name] = [...scope.claims];
  return claims;
}

/** Every scope an application may ask for, in the order discovery lists them. */
export function supportedScopes(customScopes: readonly CustomScope[]): string[] {
  return [...standardScopeNames, ...customScopes.map((s) => s.name)];
}
