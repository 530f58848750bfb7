import type { Db, UpstreamSessionTable } from '../database.js';

export type UpstreamSessionRow = UpstreamSessionTable;

/** The upstream sign-in behind each engine session that came from a connection, by session uid. */
export function createUpstreamSessionQueries(db: Db) {
  return {
    /** A later upstream sign-in in the same session replaces the earlier one: logout ends the latest. */
    save: async (row: UpstreamSessionRow): Promise<void> => {
      await db
        .insertInto('upstream_sessions')
        .values(row)
        .onConflict((oc) => oc.column('session_uid').doUpdateSet({ connection_id: row.connection_id, id_token: row.id_token, expires_at: row.expires_at }))
        .execute();
    },
    find: (sessionUid: string, now: number): Promise<UpstreamSessionRow | undefined> =>
      db.selectFrom('upstream_sessions').selectAll().where('session_uid', '=', sessionUid).where('expires_at', '>', now).executeTakeFirst(),
    remove: async (sessionUid: string): Promise<void> => {
      await db.deleteFrom('upstream_sessions').where('session_uid', '=', sessionUid).execute();
    },
    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('upstream_sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
