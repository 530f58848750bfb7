import { randomBytes } from 'node:crypto';
import type { PasswordFailureReason } from '../audit/audit-event-types.js';
import type { AuditLog } from '../audit/audit-log.js';
import { accountKey } from '../protection/account-lockout.js';
import type { SignInProtection } from '../protection/sign-in-protection.js';
import type { PasswordHasher } from '../users/password-hasher.js';
import type { User } from '../users/user.js';
import type { UserService } from '../users/user-service.js';

export interface PasswordAttempt {
  identifier: string;
  password: string;
  clientIp: string;
  /** Where the password was typed: the login page, or an application's password grant. */
  channel: 'login_page' | 'password_grant';
  /** The application the sign-in is for. */
  clientId: string;
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
 * Checks a user name (or email) and password under the sign-in protection, and records the
 * outcome in the audit log: the person is told the same for every refusal, the log keeps the
 * reason. What was typed is never recorded: only the user it named, if it named one (a name
 * that names nobody may be a password typed into the wrong field). A blocked address is
 * refused after one read, before anything is written. Otherwise the attempt is counted against
 * the address (when it is the identity's first failure there in the window) and then the
 * account before the password is verified, so that concurrent attempts cannot all pass a check
 * made before any of them was counted. A right password gives back the identity's count at the
 * address, its earlier failures' included, and clears the account's counter. The password is verified in every case that is not
 * throttled, also for a locked account and against a dummy argon2id hash when there is no user,
 * so that every refusal costs the same time.
 */
export async function createPasswordSignIn(
  { users, protection, hasher, audit }: { users: UserService; protection: SignInProtection; hasher: PasswordHasher; audit: AuditLog },
): Promise<PasswordSignIn> {
  const dummyHash = await hasher.hash(randomBytes(16).toString('base64url'));

  return async (attempt) => {
    const { identifier, password, clientIp } = attempt;
    const context = { method: 'password', channel: attempt.channel };
    const refused = (reason: PasswordFailureReason, user: User | undefined): void =>
      audit.record({ type: 'sign_in.failed', actor: { kind: 'anonymous' }, reason, userId: user?.id, clientId: attempt.clientId, clientAddress: clientIp, details: context });
    const throttled = (retryAfterSeconds: number, user: User | undefined): SignInOutcome => {
      refused('throttled', user);
      return { ok: false, reason: 'throttled', retryAfterSeconds };
    };

    const blockedFor = await protection.ips.blockedFor(clientIp);
    if (blockedFor !== undefined) return throttled(blockedFor, undefined);
    const user = await users.findByIdentifier(identifier);
    const key = accountKey(user?.id, identifier);
    const address = await protection.ips.admit(clientIp, key);
    if (!address.admitted) return throttled(address.retryAfterSeconds, user);
    const account = await protection.accounts.admit(key);
    const check = await hasher.verify(user?.passwordHash ?? dummyHash, password);
    const failure = refusalOf(account.admitted, user, check.ok);
    if (failure !== undefined || user === undefined) {
      await Promise.all([account.admitted && account.attempt.fail(), address.attempt.fail()]);
      refused(failure ?? 'unknown_user', user);
      return invalidCredentials;
    }
    await Promise.all([protection.accounts.recordSuccess(key), address.attempt.signedIn()]);
    if (check.needsRehash) await users.upgradeHash(user.id, password);
    audit.record({
      type: 'sign_in.succeeded', actor: { kind: 'user', userId: user.id }, userId: user.id, clientId: attempt.clientId, clientAddress: clientIp,
      details: { ...context, amr: ['pwd'] },
    });
    return { ok: true, user };
  };
}

/**
 * Why an attempt that reached the password check is refused, in this order: a lock refuses
 * even the right password; a user name that names nobody; a user without a password (one an
 * upstream provider created); a wrong password; and only then a disabled account, so that
 * `disabled` says the right password was given for it.
 */
function refusalOf(admitted: boolean, user: User | undefined, passwordRight: boolean): PasswordFailureReason | undefined {
  if (!admitted) return 'locked';
  if (!user) return 'unknown_user';
  if (!user.passwordHash) return 'no_password';
  if (!passwordRight) return 'wrong_password';
  if (user.disabled) return 'disabled';
  return undefined;
}
