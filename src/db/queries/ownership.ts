import type { Db } from '../database.js';

/** The tables whose records the configuration file may own, each with the column its entries are matched by. */
const declaredBy = { users: 'username_normalized', applications: 'client_id', scopes: 'name', connections: 'id', api_resources: 'identifier' } as const;

/** The column each table's records are known by elsewhere (a user by its id). */
const keyOf = { users: 'id', applications: 'client_id', scopes: 'name', connections: 'id', api_resources: 'identifier' } as const;

export type DeclarableTable = keyof typeof declaredBy;

export function createOwnershipQueries(db: Db) {
  return {
    /**
     * Hands to the database every record of the table that the file owned and no longer
     * declares: nothing will undo a change to it any more, so the API may make one. The keys
     * (user ids, client_ids, scope names, connection ids, resource identifiers) of the records released.
     */
    releaseFromFile: async (table: DeclarableTable, declared: string[], now: number): Promise<string[]> => {
      let query = db.updateTable(table).set({ owner: 'database', updated_at: now }).where('owner', '=', 'config_file');
      if (declared.length > 0) query = query.where(declaredBy[table], 'not in', declared);
      const rows = (await query.returning(keyOf[table]).execute()) as Array<Record<string, string>>;
      return rows.map((row) => row[keyOf[table]]!);
    },
  };
}
