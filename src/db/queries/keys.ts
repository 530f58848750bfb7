import type { Db, KeyTable } from '../database.js';

export type KeyRow = KeyTable;

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) => Number(result.numUpdatedRows ?? result.numDeletedRows ?? 0n);

/**
 * The key table. Every change of status is conditional on the status the caller saw, so that
 * instances applying the same rotation step at once change each key once; the partial unique
 * indexes keep at most one active and one waiting (`next`) key per purpose.
 */
export function createKeyQueries(db: Db) {
  /** Inserts a key unless a unique index refuses it; true when this key was stored. */
  const insertUnlessTaken = async (row: KeyRow): Promise<boolean> => {
    const result = await db.insertInto('keys').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  };
  return {
    /** Every key, oldest first: all of them are published, the active ones sign. */
    all: (): Promise<KeyRow[]> => db.selectFrom('keys').selectAll().orderBy('created_at').orderBy('kid').execute(),
    activePurposes: async (): Promise<Set<string>> =>
      new Set((await db.selectFrom('keys').select('purpose').where('status', '=', 'active').execute()).map((row) => row.purpose)),
    /**
     * Inserts a key; an active one only while its purpose has none, so that two first starts
     * keep whichever key came first. True when this key was stored.
     */
    insertIfNoneActive: insertUnlessTaken,
    /** Inserts a `next` key only while its purpose has none waiting: one rotation at a time. True when stored. */
    insertIfNoneWaiting: insertUnlessTaken,
    /** The first half of an activation: the purpose's active key, if any, becomes retired. The kids retired. */
    retireActive: async (purpose: string, now: number): Promise<string[]> =>
      (await db.updateTable('keys').set({ status: 'retired', status_changed_at: now })
        .where('purpose', '=', purpose).where('status', '=', 'active').returning('kid').execute()).map((row) => row.kid),
    /** The second half: the waiting key becomes active, only if it is still waiting. True when this call activated it. */
    activate: async (kid: string, now: number): Promise<boolean> =>
      changed(await db.updateTable('keys').set({ status: 'active', status_changed_at: now })
        .where('kid', '=', kid).where('status', '=', 'next').executeTakeFirst()) > 0,
    /** Removes a retired key, only if it is still there and retired. True when this call removed it. */
    removeRetired: async (kid: string): Promise<boolean> =>
      changed(await db.deleteFrom('keys').where('kid', '=', kid).where('status', '=', 'retired').executeTakeFirst()) > 0,
    /** Removes every key of a purpose, whatever its status (a rotation that cannot wait). The number removed. */
    removePurpose: async (purpose: string): Promise<number> =>
      changed(await db.deleteFrom('keys').where('purpose', '=', purpose).executeTakeFirst()),
  };
}
