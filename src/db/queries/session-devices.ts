import type { Db, SessionDeviceTable } from '../database.js';

export type SessionDeviceRow = SessionDeviceTable;

/** What the /account sessions list shows of each engine session: its device, address and when it was last used. */
export function createSessionDeviceQueries(db: Db) {
  return {
    /** The session's first authorization creates its row; each later one moves its device, address and last seen. */
    record: async (row: SessionDeviceRow): Promise<void> => {
      await db
        .insertInto('session_devices')
        .values(row)
        .onConflict((oc) => oc.column('session_uid').doUpdateSet({ user_agent: row.user_agent, ip_address: row.ip_address, last_seen_at: row.last_seen_at }))
        .execute();
    },
    listOfAccount: (accountId: string): Promise<SessionDeviceRow[]> => db.selectFrom('session_devices').selectAll().where('account_id', '=', accountId).execute(),
    remove: async (accountId: string, sessionUids: readonly string[]): Promise<void> => {
      if (sessionUids.length === 0) return;
      await db.deleteFrom('session_devices').where('account_id', '=', accountId).where('session_uid', 'in', sessionUids).execute();
    },
    removeAllOf: async (accountId: string): Promise<void> => {
      await db.deleteFrom('session_devices').where('account_id', '=', accountId).execute();
    },
    /** Rows whose engine session is gone (expired and swept, or ended by a logout). */
    deleteOrphans: async (): Promise<number> => {
      const result = await db
        .deleteFrom('session_devices')
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('oidc_models').select('oidc_models.id').where('oidc_models.model', '=', 'Session').whereRef('oidc_models.uid', '=', 'session_devices.session_uid'))))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
