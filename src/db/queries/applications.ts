import type { ApplicationTable, Db } from '../database.js';

export function createApplicationQueries(db: Db) {
  return {
    find: (clientId: string): Promise<ApplicationTable | undefined> =>
      db.selectFrom('applications').selectAll().where('client_id', '=', clientId).executeTakeFirst(),
    list: (): Promise<ApplicationTable[]> => db.selectFrom('applications').selectAll().orderBy('client_id').execute(),
    /** False when the client_id exists already (another instance may have inserted it a moment ago). */
    insertIfAbsent: async (row: ApplicationTable): Promise<boolean> => {
      const result = await db.insertInto('applications').values(row).onConflict((oc) => oc.column('client_id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    upsert: async (row: ApplicationTable): Promise<void> => {
      await db
        .insertInto('applications')
        .values(row)
        .onConflict((oc) =>
          oc.column('client_id').doUpdateSet({
            metadata: row.metadata,
            client_secret_sealed: row.client_secret_sealed,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },
  };
}
