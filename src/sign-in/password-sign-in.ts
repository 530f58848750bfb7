import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../users/password-hasher.js';
import type { User } from '../users/user.js';
import type { UserService } from '../users/user-service.js';

export interface PasswordAttempt {
  identifier: string;
  password: string;
  clientIp: string;
}

/** Every failure looks the same from outside: unknown user, wrong password, disabled user. */
export type SignInOutcome = { ok: true; user: User } | { ok: false };

export type PasswordSignIn = (attempt: PasswordAttempt) => Promise<SignInOutcome>;

/**
 * Checks a user name (or email) and password. An unknown user is verified against a dummy
 * argon2id hash so that it costs the same time as a wrong password.
 */
export async function createPasswordSignIn({ users }: { users: UserService }): Promise<PasswordSignIn> {
  const dummyHash = await hashPassword(randomBytes(16).toString('base64url'));
  return async ({ identifier, password }) => {
    const user = await users.findByIdentifier(identifier);
    const check = await verifyPassword(user?.passwordHash ?? dummyHash, password);
    if (!user || !user.passwordHash || !check.ok || user.disabled) return { ok: false };
    if (check.needsRehash) await users.upgradeHash(user.id, password);
    return { ok: true, user };
  };
}
