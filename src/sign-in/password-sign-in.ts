import { randomBytes } from 'node:crypto';
import { accountKey } from '../protection/account-lockout.js';
import type { SignInProtection } from '../protection/sign-in-protection.js';
import type { PasswordHasher } from '../users/password-hasher.js';
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
 * - `reason: 'throttled'`: too many identities failed from this client address; no password was checked.
 *   Answer 429 with `Retry-After: retryAfterSeconds`.
 */
export type SignInOutcome =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export type PasswordSignIn = (attempt: PasswordAttempt) => Promise<SignInOutcome>;

const invalidCredentials: SignInOutcome = { ok: false, reason: 'invalid_credentials' };

/**
 * Checks a user name (or email) and password under the sign-in protection. A blocked address is
 * refused after one read, before anything is written. Otherwise the attempt is counted against
 * the address (when it is the identity's first failure there in the window) and then the
 * account before the password is verified, so that concurrent attempts cannot all pass a check
 * made before any of them was counted. A right password gives back the identity's count at the
 * address, its earlier failures' included, and clears the account's counter. The password is verified in every case that is not
 * throttled, also for a locked account and against a dummy argon2id hash when there is no user,
 * so that every refusal costs the same time.
 */
export async function createPasswordSignIn(
  { users, protection, hasher }: { users: UserService; protection: SignInProtection; hasher: PasswordHasher },
): Promise<PasswordSignIn> {
  const dummyHash = await hasher.hash(randomBytes(16).toString('base64url'));
  const throttled = (retryAfterSeconds: number): SignInOutcome => ({ ok: false, reason: 'throttled', retryAfterSeconds });

  return async ({ identifier, password, clientIp }) => {
    const blockedFor = await protection.ips.blockedFor(clientIp);
    if (blockedFor !== undefined) return throttled(blockedFor);
    const user = await users.findByIdentifier(identifier);
    const key = accountKey(user?.id, identifier);
    const address = await protection.ips.admit(clientIp, key);
    if (!address.admitted) return throttled(address.retryAfterSeconds);
    const account = await protection.accounts.admit(key);
    const check = await hasher.verify(user?.passwordHash ?? dummyHash, password);
    if (!account.admitted || !user || !user.passwordHash || user.disabled || !check.ok) {
      await Promise.all([account.admitted && account.attempt.fail(), address.attempt.fail()]);
      return invalidCredentials;
    }
    await Promise.all([protection.accounts.recordSuccess(key), address.attempt.signedIn()]);
    if (check.needsRehash) await users.upgradeHash(user.id, password);
    return { ok: true, user };
  };
}
