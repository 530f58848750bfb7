import type { Db, KeyTable } from '../database.js';

export type KeyRow = KeyTable;

export function createKeyQueries(db: Db) {
  return {
    /** Every key, oldest first: all of them are published, the active ones sign. */
    all: (): Promise<KeyRow[]> => db.selectFrom('keys').selectAll().orderBy('created_at').orderBy('kid').execute(),
    activePurposes: async (): Promise<Set<string>> =>
      new Set((await db.selectFrom('keys').select('purpose').where('status', '=', 'active').execute()).map((row) => row.purpose)),
    /**
     * Inserts a key; an active one only while its purpose has none, so that two first starts
     * keep whichever key came first. True when this key was stored.
     */
    insertIfNoneActive: async (row: KeyRow): Promise<boolean> => {
      const result = await db.insertInto('keys').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
