import type { Db, ScopeTable } from '../database.js';

export function createScopeQueries(db: Db) {
  return {
    list: (): Promise<ScopeTable[]> => db.selectFrom('scopes').selectAll().orderBy('name').execute(),
    upsert: async (row: ScopeTable): Promise<void> => {
      await db
        .insertInto('scopes')
        .values(row)
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ description: row.description, claims: row.claims, updated_at: row.updated_at }),
        )
        .execute();
    },
  };
}
