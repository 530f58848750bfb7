import type { UserService } from '../users/user-service.js';
import { userClaims } from '../users/claims.js';
import type { Account, FindAccount } from './engine.js';

/**
 * Resolves a subject to its claims. A disabled or deleted user has no account any more, so
 * oidc-provider refuses its refresh tokens and userinfo calls.
 */
export function createFindAccount(users: UserService): FindAccount {
  return async (_ctx, sub): Promise<Account | undefined> => {
    const user = await users.findById(sub);
    if (!user || user.disabled) return undefined;
    const claims = userClaims(user);
    return { accountId: user.id, claims: async () => ({ ...claims, sub: user.id }) };
  };
}
