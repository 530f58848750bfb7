import type { ApplicationTable, Db } from '../database.js';
import { containsText } from '../like-pattern.js';

export type ApplicationRow = ApplicationTable;

export function createApplicationQueries(db: Db) {
  return {
    find: (clientId: string): Promise<ApplicationRow | undefined> =>
      db.selectFrom('applications').selectAll().where('client_id', '=', clientId).executeTakeFirst(),
    list: (): Promise<ApplicationRow[]> => db.selectFrom('applications').selectAll().orderBy('client_id').execute(),
    /**
     * Up to `limit` applications in client_id order after `afterClientId`; with `search`, only
     * candidates whose client_id or metadata text contains it (the caller confirms the field).
     */
    listAfter: (afterClientId: string | undefined, limit: number, search?: string): Promise<ApplicationRow[]> => {
      let page = db.selectFrom('applications').selectAll().orderBy('client_id').limit(limit);
      if (afterClientId !== undefined) page = page.where('client_id', '>', afterClientId);
      if (search !== undefined) page = page.where((eb) => eb.or([containsText('client_id', search), containsText('metadata', search)]));
      return page.execute();
    },
    /** False when the client_id exists already (another instance may have inserted it a moment ago). */
    insertIfAbsent: async (row: ApplicationRow): Promise<boolean> => {
      const result = await db.insertInto('applications').values(row).onConflict((oc) => oc.column('client_id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    /** Takes the row's write lock for the rest of the transaction (a write that changes nothing): PostgreSQL and SQLite alike. */
    lock: async (clientId: string): Promise<void> => {
      await db.updateTable('applications').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('client_id', '=', clientId).execute();
    },
    update: async (clientId: string, changes: Partial<Omit<ApplicationRow, 'client_id' | 'created_at'>>): Promise<void> => {
      await db.updateTable('applications').set(changes).where('client_id', '=', clientId).execute();
    },
    remove: async (clientId: string): Promise<boolean> => {
      const result = await db.deleteFrom('applications').where('client_id', '=', clientId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
