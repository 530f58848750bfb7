import { createHash } from 'node:crypto';
import type { ChangeLog } from '../audit/change-log.js';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { normalizeIdentifier } from '../users/normalize.js';
import { createAttemptLimiter, type Admission, type LimitPolicy } from './attempt-limiter.js';

/**
 * The counter a sign-in attempt counts against: the user when the identifier names one, so that
 * every spelling of a user name and the email address share one counter; otherwise the
 * normalized identifier, hashed because people sometimes type their password into that field.
 */
export function accountKey(userId: string | undefined, identifier: string): string {
  if (userId !== undefined) return `account:user:${userId}`;
  return `account:name:${createHash('sha256').update(normalizeIdentifier(identifier)).digest('base64url')}`;
}

/**
 * The counter of a user's wrong second factors, apart from the password's: a right password
 * clears the password's counter, and an attacker who knows it must not clear the count of the
 * codes they guess with it. Locked, the account's second factors are refused as its password is.
 */
export function secondFactorKey(userId: string): string {
  return `account:second-factor:${userId}`;
}

export function accountPolicy(settings: SecuritySettings): LimitPolicy {
  return {
    threshold: settings.lockoutThreshold,
    windowSeconds: settings.lockoutWindowSeconds,
    baseBlockSeconds: settings.lockoutBaseSeconds,
    maxBlockSeconds: settings.lockoutMaxSeconds,
  };
}

/** Temporary per-account locks after repeated failed sign-ins. */
export function createAccountLockout({ db, clock, settings, changes }: { db: Db; clock: Clock; settings: SecuritySettings; changes: ChangeLog }) {
  const limiter = createAttemptLimiter({ db, clock, policy: accountPolicy(settings) });
  return {
    /** Counts a sign-in attempt before its password is checked; refused while the account is locked. */
    admit: (key: string): Promise<Admission> => limiter.admit(key),
    /** After a successful sign-in the slate is clean, lock history included. */
    recordSuccess: async (key: string): Promise<void> => {
      await limiter.clear(key);
    },
    /** Lifts a user's lock at once (gatehouse users unlock); true when there was anything to lift, which is recorded. */
    unlockUser: (actor: Actor, userId: string): Promise<boolean> =>
      // The lift and its event in one transaction: either both are stored or neither.
      inTransaction(db, async (trx) => {
        const limiter = createAttemptLimiter({ db: trx, clock, policy: accountPolicy(settings) });
        const lifted = [await limiter.clear(accountKey(userId, '')), await limiter.clear(secondFactorKey(userId))].some(Boolean);
        if (lifted) await changes.record(trx, [{ type: 'user.unlocked', actor, subject: { userId } }]);
        return lifted;
      }),
  };
}

export type AccountLockout = ReturnType<typeof createAccountLockout>;
