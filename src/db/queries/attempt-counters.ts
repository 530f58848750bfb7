import { sql } from 'kysely';
import type { AttemptCounterTable, Db } from '../database.js';

export type AttemptCounterRow = AttemptCounterTable;

export interface AttemptToCount {
  key: string;
  now: number;
  /** Epoch milliseconds at which a window that starts now ends. */
  windowEnd: number;
  /** A window that started at or before this has closed: failures count from one again. */
  windowClosedIfStartedBy: number;
}

export interface LockToApply {
  key: string;
  now: number;
  lockedUntil: number;
  expiresAt: number;
  threshold: number;
  /** The lock count the caller saw; a lock applied meanwhile by another request wins. */
  seenLockCount: number;
}

/** The counter state an attempt was counted into; a give-back applies only while it still holds. */
export interface CountedAttempt {
  key: string;
  windowStartedAt: number;
  lockCount: number;
}

/**
 * Counters of sign-in and client-authentication attempts: an attempt is counted before its
 * credential is checked and given back when it turns out right. Every change is one statement,
 * so instances sharing a database count into the same row without read-modify-write races.
 * Keys that belong to one client address start with the same prefix, so that they can be
 * cleared together.
 */
export function createAttemptCounterQueries(db: Db) {
  return {
    find: (key: string): Promise<AttemptCounterRow | undefined> =>
      db.selectFrom('attempt_counters').selectAll().where('key', '=', key).executeTakeFirst(),

    /**
     * Adds one attempt and returns the new state, starting a new window when the last one closed
     * and forgetting the lock history when the row has expired (the sweep may not have removed it
     * yet). An attempt while the key is locked is not counted, so it cannot extend the lock.
     */
    countAttempt: ({ key, now, windowEnd, windowClosedIfStartedBy }: AttemptToCount): Promise<AttemptCounterRow> => {
      const expired = sql<boolean>`attempt_counters.expires_at <= ${now}`;
      const locked = sql<boolean>`(attempt_counters.expires_at > ${now} and attempt_counters.locked_until > ${now})`;
      const restart = sql<boolean>`(${expired} or attempt_counters.window_started_at <= ${windowClosedIfStartedBy})`;
      return db
        .insertInto('attempt_counters')
        .values({ key, failures: 1, window_started_at: now, locked_until: null, lock_count: 0, expires_at: windowEnd })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when ${locked} then attempt_counters.failures when ${restart} then 1 else attempt_counters.failures + 1 end`,
            window_started_at: sql<number>`case when ${locked} then attempt_counters.window_started_at when ${restart} then ${now} else attempt_counters.window_started_at end`,
            lock_count: sql<number>`case when ${expired} then 0 else attempt_counters.lock_count end`,
            locked_until: sql<number | null>`case when ${expired} then null else attempt_counters.locked_until end`,
            expires_at: sql<number>`case when attempt_counters.expires_at > ${windowEnd} then attempt_counters.expires_at else ${windowEnd} end`,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** Locks the key if it still has the failures for it; false when another request locked it first. */
    lock: async ({ key, now, lockedUntil, expiresAt, threshold, seenLockCount }: LockToApply): Promise<boolean> => {
      const result = await db
        .updateTable('attempt_counters')
        .set((eb) => ({
          locked_until: lockedUntil,
          lock_count: eb('lock_count', '+', 1),
          failures: 0,
          window_started_at: now,
          expires_at: expiresAt,
        }))
        .where('key', '=', key)
        .where('failures', '>=', threshold)
        .where('lock_count', '=', seenLockCount)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Takes back one counted attempt, unless the window it was counted in has closed or a lock
     * has begun since (a lock starts from zero), so a give-back never frees more than it took.
     */
    giveBack: async ({ key, windowStartedAt, lockCount }: CountedAttempt): Promise<void> => {
      await db
        .updateTable('attempt_counters')
        .set((eb) => ({ failures: eb('failures', '-', 1) }))
        .where('key', '=', key)
        .where('window_started_at', '=', windowStartedAt)
        .where('lock_count', '=', lockCount)
        .where('failures', '>', 0)
        .execute();
    },

    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('attempt_counters').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    remove: async (key: string): Promise<boolean> => {
      const result = await db.deleteFrom('attempt_counters').where('key', '=', key).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Removes the key and returns what it held. */
    take: (key: string): Promise<AttemptCounterRow | undefined> =>
      db.deleteFrom('attempt_counters').where('key', '=', key).returningAll().executeTakeFirst(),

    /**
     * Removes every key that starts with the prefix and returns what they held. Compared with
     * substr, not LIKE: the prefix is taken literally, `_` and `%` included, on both dialects.
     */
    removeByPrefix: (prefix: string): Promise<AttemptCounterRow[]> =>
      db.deleteFrom('attempt_counters').where(sql<string>`substr(key, 1, ${prefix.length})`, '=', prefix).returningAll().execute(),
  };
}
