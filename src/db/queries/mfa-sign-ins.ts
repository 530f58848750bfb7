import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, MfaSignInTable } from '../database.js';

/** A sign-in past its first factor, with its JSON columns read. */
export interface MfaSignInRow {
  uid: string;
  /** Which first factor of the interaction this is: each step writes only into its own. */
  generation: string;
  userId: string;
  amr: string[];
  via: { method: string; connectionId?: string };
  enrol: string | null;
  failures: number;
  expiresAt: number;
}

const rowOf = (row: MfaSignInTable): MfaSignInRow => ({
  uid: row.uid,
  generation: row.generation,
  userId: row.user_id,
  amr: JSON.parse(row.amr) as string[],
  via: JSON.parse(row.via) as MfaSignInRow['via'],
  enrol: row.enrol,
  failures: row.failures,
  expiresAt: row.expires_at,
});

/**
 * Sign-ins between their first factor and their end, by interaction uid. A new first factor in
 * the same interaction starts over with a new generation, so that what one person proved is
 * never carried into another's sign-in: every later write names the generation it read, and one
 * that finds it replaced changes nothing. The count of wrong second factors is the
 * interaction's, kept across restarts, so that signing in again does not earn more guesses.
 */
export function createMfaSignInQueries(db: Db) {
  return {
    async start(row: Omit<MfaSignInRow, 'failures' | 'generation'>): Promise<void> {
      const values = {
        uid: row.uid, generation: randomBytes(16).toString('base64url'), user_id: row.userId, amr: JSON.stringify(row.amr), via: JSON.stringify(row.via),
        enrol: row.enrol, failures: 0, expires_at: row.expiresAt,
      };
      const { uid: _uid, failures: _failures, ...replaced } = values;
      await db.insertInto('mfa_sign_ins').values(values).onConflict((conflict) => conflict.column('uid').doUpdateSet(replaced)).execute();
    },
    async find(uid: string, now: number): Promise<MfaSignInRow | undefined> {
      const row = await db.selectFrom('mfa_sign_ins').selectAll().where('uid', '=', uid).where('expires_at', '>', now).executeTakeFirst();
      return row && rowOf(row);
    },
    /** The factors proved so far, and the set-up done when `enrolDone`; false when the sign-in was started over meanwhile. */
    async proved(held: Pick<MfaSignInRow, 'uid' | 'generation'>, amr: string[], enrolDone: boolean): Promise<boolean> {
      const result = await db.updateTable('mfa_sign_ins').set({ amr: JSON.stringify(amr), ...(enrolDone ? { enrol: null } : {}) })
        .where('uid', '=', held.uid).where('generation', '=', held.generation).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Counts a wrong second factor, in one statement so that concurrent ones are all counted; the count after it. */
    async failed(uid: string): Promise<number> {
      const row = await db.updateTable('mfa_sign_ins').set({ failures: sql<number>`failures + 1` }).where('uid', '=', uid).returning('failures').executeTakeFirst();
      return row?.failures ?? Number.POSITIVE_INFINITY;
    },
    /** Ends this generation of the sign-in; true when it was still there to end. */
    async end(held: Pick<MfaSignInRow, 'uid' | 'generation'>): Promise<boolean> {
      const result = await db.deleteFrom('mfa_sign_ins').where('uid', '=', held.uid).where('generation', '=', held.generation).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async deleteExpired(now: number): Promise<number> {
      const result = await db.deleteFrom('mfa_sign_ins').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type MfaSignInQueries = ReturnType<typeof createMfaSignInQueries>;
