import type { Db, ScopeTable } from '../database.js';

export type ScopeRow = ScopeTable;

export function createScopeQueries(db: Db) {
  return {
    list: (): Promise<ScopeRow[]> => db.selectFrom('scopes').selectAll().orderBy('name').execute(),
    /** Up to `limit` scopes in name order, after `after` when given: a page of them. */
    listAfter: (after: string | undefined, limit: number): Promise<ScopeRow[]> => {
      const page = db.selectFrom('scopes').selectAll().orderBy('name').limit(limit);
      return (after === undefined ? page : page.where('name', '>', after)).execute();
    },
    find: (name: string): Promise<ScopeRow | undefined> => db.selectFrom('scopes').selectAll().where('name', '=', name).executeTakeFirst(),
    /** False when the name exists already. */
    insertIfAbsent: async (row: ScopeRow): Promise<boolean> => {
      const result = await db.insertInto('scopes').values(row).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    update: async (name: string, changes: Pick<ScopeRow, 'description' | 'claims' | 'owner' | 'updated_at'>): Promise<void> => {
      await db.updateTable('scopes').set(changes).where('name', '=', name).execute();
    },
    remove: async (name: string): Promise<boolean> => {
      const result = await db.deleteFrom('scopes').where('name', '=', name).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
