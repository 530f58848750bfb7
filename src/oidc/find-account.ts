import type { ScopeClaims } from '../scopes/scope-claims.js';
import type { UserService } from '../users/user-service.js';
import { userClaims } from '../users/claims.js';
import { claimsApplicationMayRequest } from './claims-parameter.js';
import type { RequirementFor } from '../mfa/mfa-requirement.js';
import { refuseWeakerRefresh } from './authentication-requirements.js';
import type { Account, FindAccount } from './engine.js';
import { idTokenClaimNames } from './id-token-claims.js';

/**
 * Resolves a subject to its claims. A disabled or deleted user has no account any more, so
 * oidc-provider refuses its refresh tokens and userinfo calls. The engine then keeps, of what
 * is returned here, the claims of the granted scopes and the `claims` parameter; for an
 * id_token the list is narrowed first (see id-token-claims.ts). Whatever was requested, only
 * claims the application's scopes could release leave here: the authorization request was
 * checked (claims-parameter.ts), and this still holds for its tokens if the application changes.
 * A refresh token from a sign-in weaker than the MFA requirement now is refused here
 * (authentication-requirements.ts), the one place the engine asks about the account at a refresh.
 */
export function createFindAccount(users: UserService, claimsOf: ScopeClaims, requirementFor: RequirementFor): FindAccount {
  return async (ctx, sub, token): Promise<Account | undefined> => {
    const user = await users.findById(sub);
    if (!user || user.disabled) return undefined;
    await refuseWeakerRefresh(requirementFor, ctx, sub, token as { kind?: string; acr?: string; amr?: string[] } | undefined);
    const mayRequest = claimsApplicationMayRequest(ctx.oidc?.client?.scope, claimsOf);
    const claims = { ...Object.fromEntries(Object.entries(userClaims(user)).filter(([name]) => mayRequest.has(name))), sub: user.id };
    return {
      accountId: user.id,
      claims: async (use, scope, requested) => {
        if (use !== 'id_token') return claims;
        const names = idTokenClaimNames(ctx, scope, requested, claimsOf);
        return { ...Object.fromEntries(Object.entries(claims).filter(([name]) => names.has(name))), sub: user.id };
      },
    };
  };
}
