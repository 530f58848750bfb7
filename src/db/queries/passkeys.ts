import type { Db, PasskeyTable } from '../database.js';

export type PasskeyRow = PasskeyTable;

/** A use of a passkey: the counter it was found with, the one the authenticator reported, and when. */
export interface PasskeyUse {
  previousCounter: number;
  counter: number;
  now: number;
}

/**
 * WebAuthn credentials, by their credential id. A use is one conditional UPDATE that moves the
 * signature counter only from the value the verification started from: of two sign-ins racing
 * with one counter value (a cloned authenticator, a replayed response), on any instance, exactly
 * one updates the row and the other is refused.
 */
export function createPasskeyQueries(db: Db) {
  return {
    insert: async (row: PasskeyRow): Promise<void> => {
      await db.insertInto('passkeys').values(row).execute();
    },
    /** The user's passkeys, oldest first (the order they are listed in). */
    listOf: (userId: string): Promise<PasskeyRow[]> =>
      db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute(),
    find: (id: string): Promise<PasskeyRow | undefined> =>
      db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst(),
    /**
     * Records a verified use, only while the counter is still `previousCounter`. An authenticator
     * that keeps no counter reports 0 every time: 0 -> 0 passes, as the library already admitted it.
     */
    recordUse: async (id: string, { previousCounter, counter, now }: PasskeyUse): Promise<boolean> => {
      const result = await db
        .updateTable('passkeys')
        .set({ counter, last_used_at: now })
        .where('id', '=', id)
        .where('counter', '=', previousCounter)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** False when the user has no passkey by that id. */
    rename: async (userId: string, id: string, name: string): Promise<boolean> => {
      const result = await db.updateTable('passkeys').set({ name }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Removes the user's passkey and returns what it was, or undefined when there was none. */
    remove: (userId: string, id: string): Promise<PasskeyRow | undefined> =>
      db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).returningAll().executeTakeFirst(),
    countOf: async (userId: string): Promise<number> => {
      const row = await db.selectFrom('passkeys').select((eb) => eb.fn.countAll<number | string>().as('count')).where('user_id', '=', userId).executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}
