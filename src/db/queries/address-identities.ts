import { sql } from 'kysely';
import type { AddressIdentityTable, Db } from '../database.js';
import type { AttemptToCount } from './attempt-counters.js';

export type AddressIdentityRow = AddressIdentityTable;

/**
 * What an identity's row at an address records of its count in the address counter: the address
 * counter's window_started_at and lock_count when the identity's failure was counted there.
 */
export interface AddressCount {
  windowStartedAt: number;
  lockCount: number;
}

/**
 * The identities that failed to sign in from a client address, one row per (address, identity).
 * Every change is one statement, so instances sharing a database count an identity into the
 * same row without read-modify-write races. The keys of one address start with the same
 * prefix, so that they can be cleared together.
 */
export function createAddressIdentityQueries(db: Db) {
  return {
    find: (key: string): Promise<AddressIdentityRow | undefined> =>
      db.selectFrom('address_identities').selectAll().where('key', '=', key).executeTakeFirst(),

    /**
     * Adds one attempt of an identity at an address and returns the new state, starting a new
     * window when the last one closed. What the row records of its count in the address counter
     * is kept across its windows (a newer count replaces it) and forgotten only when the row has
     * expired (the sweep may not have removed it yet).
     */
    countIdentityAttempt: ({ key, now, windowEnd, windowClosedIfStartedBy }: AttemptToCount): Promise<AddressIdentityRow> => {
      const expired = sql<boolean>`address_identities.expires_at <= ${now}`;
      const restart = sql<boolean>`(${expired} or address_identities.window_started_at <= ${windowClosedIfStartedBy})`;
      return db
        .insertInto('address_identities')
        .values({ key, failures: 1, window_started_at: now, counted_window_started_at: null, counted_lock_count: null, expires_at: windowEnd })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when ${restart} then 1 else address_identities.failures + 1 end`,
            window_started_at: sql<number>`case when ${restart} then ${now} else address_identities.window_started_at end`,
            counted_window_started_at: sql<number | null>`case when ${expired} then null else address_identities.counted_window_started_at end`,
            counted_lock_count: sql<number | null>`case when ${expired} then null else address_identities.counted_lock_count end`,
            expires_at: sql<number>`case when address_identities.expires_at > ${windowEnd} then address_identities.expires_at else ${windowEnd} end`,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** Takes back one attempt counted at an identity's row, unless its window has closed since. */
    releaseIdentityAttempt: async ({ key, windowStartedAt }: { key: string; windowStartedAt: number }): Promise<void> => {
      await db
        .updateTable('address_identities')
        .set((eb) => ({ failures: eb('failures', '-', 1) }))
        .where('key', '=', key)
        .where('window_started_at', '=', windowStartedAt)
        .where('failures', '>', 0)
        .execute();
    },

    /**
     * Records on the identity's row that its failure is counted in the address counter in the
     * given state. False when the row is gone (a right password or an unblock took it meanwhile)
     * or already records a count in that state or a newer one (windows start later; in one window
     * a lock counts up): the identity is counted once, so the caller gives its own count back.
     */
    recordAddressCount: async (key: string, { windowStartedAt, lockCount }: AddressCount): Promise<boolean> => {
      const result = await db
        .updateTable('address_identities')
        .set({ counted_window_started_at: windowStartedAt, counted_lock_count: lockCount })
        .where('key', '=', key)
        .where((eb) =>
          eb.or([
            eb('counted_window_started_at', 'is', null),
            eb('counted_window_started_at', '<', windowStartedAt),
            eb.and([eb('counted_window_started_at', '=', windowStartedAt), eb('counted_lock_count', '<', lockCount)]),
          ]),
        )
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Removes the identity's row and returns what it held. */
    take: (key: string): Promise<AddressIdentityRow | undefined> =>
      db.deleteFrom('address_identities').where('key', '=', key).returningAll().executeTakeFirst(),

    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('address_identities').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /**
     * Removes every row whose key starts with the prefix and returns what they held. Compared
     * with substr, not LIKE: the prefix is taken literally, `_` and `%` included, on both dialects.
     */
    removeByPrefix: (prefix: string): Promise<AddressIdentityRow[]> =>
      db.deleteFrom('address_identities').where(sql<string>`substr(key, 1, ${prefix.length})`, '=', prefix).returningAll().execute(),
  };
}
