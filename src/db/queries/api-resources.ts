import type { ApiResourceTable, Db } from '../database.js';

export type ApiResourceRow = ApiResourceTable;

/** What a change of a resource may set: everything but its identifier and creation time. */
export type ApiResourceChanges = Omit<ApiResourceRow, 'identifier' | 'created_at'>;

export function createApiResourceQueries(db: Db) {
  return {
    list: (): Promise<ApiResourceRow[]> => db.selectFrom('api_resources').selectAll().orderBy('identifier').execute(),
    /** Up to `limit` resources in identifier order, after `after` when given: a page of them. */
    listAfter: (after: string | undefined, limit: number): Promise<ApiResourceRow[]> => {
      const page = db.selectFrom('api_resources').selectAll().orderBy('identifier').limit(limit);
      return (after === undefined ? page : page.where('identifier', '>', after)).execute();
    },
    find: (identifier: string): Promise<ApiResourceRow | undefined> =>
      db.selectFrom('api_resources').selectAll().where('identifier', '=', identifier).executeTakeFirst(),
    /** False when the identifier exists already (another writer may have created it a moment ago). */
    insertIfAbsent: async (row: ApiResourceRow): Promise<boolean> => {
      const result = await db.insertInto('api_resources').values(row).onConflict((oc) => oc.column('identifier').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    /** Takes the row's write lock for the rest of the transaction (a write that changes nothing): PostgreSQL and SQLite alike. */
    lock: async (identifier: string): Promise<void> => {
      await db.updateTable('api_resources').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('identifier', '=', identifier).execute();
    },
    update: async (identifier: string, changes: ApiResourceChanges): Promise<void> => {
      await db.updateTable('api_resources').set(changes).where('identifier', '=', identifier).execute();
    },
    remove: async (identifier: string): Promise<boolean> => {
      const result = await db.deleteFrom('api_resources').where('identifier', '=', identifier).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
