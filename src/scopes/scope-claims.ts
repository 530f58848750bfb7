import { standardScopeClaims } from '../users/claims.js';
import type { CustomScope } from './scope-service.js';

/** Scope name → the claims it releases: `openid` first, then the standard scopes, then the custom ones. */
export type ScopeClaims = Readonly<Record<string, readonly string[]>>;

/**
 * `openid` releases `sub` and `auth_time`: every id_token says when the user last proved who
 * they are, whatever the flow (code, implicit, password, refresh), not only when max_age asks.
 */
export function scopeClaims(customScopes: readonly CustomScope[]): ScopeClaims {
  const claims: Record<string, readonly string[]> = { openid: ['sub', 'auth_time'], ...standardScopeClaims };
  for (const scope of customScopes) claims[scope.name] = [...scope.claims];
  return claims;
}

/** Every scope an application may ask for, in the order discovery lists them. */
export function supportedScopes(customScopes: readonly CustomScope[]): string[] {
  return ['openid', 'offline_access', ...Object.keys(standardScopeClaims), ...customScopes.map((s) => s.name)];
}
