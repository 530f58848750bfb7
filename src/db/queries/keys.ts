import type { Db, KeyTable } from '../database.js';

export function createKeyQueries(db: Db) {
  return {
    all: (): Promise<KeyTable[]> => db.selectFrom('keys').selectAll().orderBy('slot').execute(),
    /** Inserts unless the slot is taken; a concurrent first start keeps whichever key won. */
    insertIfAbsent: async (row: KeyTable): Promise<void> => {
      await db.insertInto('keys').values(row).onConflict((oc) => oc.column('slot').doNothing()).execute();
    },
  };
}
