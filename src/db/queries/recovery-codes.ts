import type { Db, RecoveryCodeTable } from '../database.js';

export type RecoveryCodeRow = RecoveryCodeTable;

/**
 * A user's unused recovery codes, as keyed hashes. Using one is a single DELETE by its hash:
 * of two sign-ins presenting the same code at once, on any instance, exactly one deletes the
 * row and the other finds nothing.
 */
export function createRecoveryCodeQueries(db: Db) {
  return {
    insertMany: async (rows: RecoveryCodeRow[]): Promise<void> => {
      if (rows.length > 0) await db.insertInto('recovery_codes').values(rows).execute();
    },
    /** True when the code was there, and is used up now. */
    use: async (userId: string, codeHash: string): Promise<boolean> => {
      const result = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).where('code_hash', '=', codeHash).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    countOf: async (userId: string): Promise<number> => {
      const row = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number | string>().as('count')).where('user_id', '=', userId).executeTakeFirstOrThrow();
      return Number(row.count);
    },
    /** When the user's current set was made; undefined without one. */
    createdAtOf: async (userId: string): Promise<number | undefined> =>
      (await db.selectFrom('recovery_codes').select('created_at').where('user_id', '=', userId).orderBy('created_at', 'desc').limit(1).executeTakeFirst())?.created_at,
    /** Voids the user's whole set; returns how many unused codes it had. */
    removeAll: async (userId: string): Promise<number> => {
      const result = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
