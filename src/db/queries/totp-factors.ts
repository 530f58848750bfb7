import type { Db, TotpFactorTable } from '../database.js';

export type TotpFactorRow = TotpFactorTable;

/** A code accepted for a time step: the step, and when. */
export interface TotpUse {
  step: number;
  now: number;
}

/**
 * Users' authenticator apps, one row per user. A code is admitted by one conditional UPDATE
 * that moves `last_time_step` forward only: of two sign-ins presenting codes of one step, on
 * any instance sharing the database, exactly one changes the row and the other is the replay.
 */
export function createTotpFactorQueries(db: Db) {
  return {
    find: (userId: string): Promise<TotpFactorRow | undefined> =>
      db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst(),
    /**
     * Starts a set-up with a new secret: inserted, or replacing a set-up not confirmed yet. False
     * when the user has a confirmed factor, which only removing it replaces.
     */
    begin: async (row: TotpFactorRow): Promise<boolean> => {
      const result = await db
        .insertInto('totp_factors')
        .values(row)
        .onConflict((oc) => oc.column('user_id').doUpdateSet({
          secret_sealed: row.secret_sealed, created_at: row.created_at, confirmed_at: null, last_time_step: null, last_used_at: null,
        }).where('totp_factors.confirmed_at', 'is', null))
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    /**
     * Confirms the set-up whose sealed secret the code was checked against, with the code's step
     * (a set-up is not a sign-in: last_used_at stays); false when it was confirmed meanwhile or
     * replaced by a new set-up (another tab, another instance).
     */
    confirm: async (userId: string, secretSealed: string, { step, now }: TotpUse): Promise<boolean> => {
      const result = await db
        .updateTable('totp_factors')
        .set({ confirmed_at: now, last_time_step: step })
        .where('user_id', '=', userId)
        .where('secret_sealed', '=', secretSealed)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Admits a code of a later step than any admitted before; false for a replay or a factor that is gone. */
    recordUse: async (userId: string, { step, now }: TotpUse): Promise<boolean> => {
      const result = await db
        .updateTable('totp_factors')
        .set({ last_time_step: step, last_used_at: now })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where((eb) => eb.or([eb('last_time_step', 'is', null), eb('last_time_step', '<', step)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Removes the user's factor, confirmed or not, and returns what it was. */
    remove: (userId: string): Promise<TotpFactorRow | undefined> =>
      db.deleteFrom('totp_factors').where('user_id', '=', userId).returningAll().executeTakeFirst(),
  };
}
