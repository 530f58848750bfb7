import { randomBytes } from 'node:crypto';
import { accountKey } from '../protection/account-lockout.js';
import type { SignInProtection } from '../protection/sign-in-protection.js';
import { hashPassword, verifyPassword } from '../users/password-hasher.js';
import type { User } from '../users/user.js';
import type { UserService } from '../users/user-service.js';

export interface PasswordAttempt {
  identifier: string;
  password: string;
  clientIp: string;
}

/**
 * The result of a password sign-in, for the login form and the password grant alike.
 * - `ok: true`: the password is right and the account may sign in.
 * - `reason: 'invalid_credentials'`: unknown user, wrong password, disabled user or locked
 *   account. Deliberately one answer: callers must show the same status and text for all of them.
 * - `reason: 'throttled'`: too many failures came from this client address; nothing was checked.
 *   Answer 429 with `Retry-After: retryAfterSeconds`.
 */
export type SignInOutcome =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export type PasswordSignIn = (attempt: PasswordAttempt) => Promise<SignInOutcome>;

const invalidCredentials: SignInOutcome = { ok: false, reason: 'invalid_credentials' };

/**
 * Checks a user name (or email) and password under the sign-in protection: the client address
 * is throttled first, then the account's lock is read, then the password is verified, always,
 * against a dummy argon2id hash when there is no user, so that every refusal costs the same time.
 */
export async function createPasswordSignIn({ users, protection }: { users: UserService; protection: SignInProtection }): Promise<PasswordSignIn> {
  const dummyHash = await hashPassword(randomBytes(16).toString('base64url'));

  async function recordFailure(key: string, clientIp: string): Promise<void> {
    await Promise.all([protection.accounts.recordFailure(key), protection.ips.recordFailure(clientIp)]);
  }

  return async ({ identifier, password, clientIp }) => {
    const throttle = await protection.ips.check(clientIp);
    if (throttle.blocked) return { ok: false, reason: 'throttled', retryAfterSeconds: throttle.retryAfterSeconds };
    const user = await users.findByIdentifier(identifier);
    const key = accountKey(user?.id, identifier);
    const lock = await protection.accounts.check(key);
    const check = await verifyPassword(user?.passwordHash ?? dummyHash, password);
    if (!user || !user.passwordHash || !check.ok || user.disabled || lock.blocked) {
      await recordFailure(key, clientIp);
      return invalidCredentials;
    }
    await protection.accounts.recordSuccess(key);
    if (check.needsRehash) await users.upgradeHash(user.id, password);
    return { ok: true, user };
  };
}
