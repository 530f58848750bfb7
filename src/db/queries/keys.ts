import type { Db, KeyStatus, KeyTable } from '../database.js';

export type KeyRow = KeyTable;

export function createKeyQueries(db: Db) {
  return {
    /** Keys that are published or used, oldest first within each status. */
    inUse: (): Promise<KeyRow[]> =>
      db.selectFrom('keys').selectAll().where('status', 'in', ['next', 'active', 'retired']).orderBy('created_at').orderBy('kid').execute(),
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
    setStatus: async (kid: string, status: KeyStatus, now: number): Promise<boolean> => {
      const result = await db.updateTable('keys').set({ status, status_changed_at: now }).where('kid', '=', kid).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
