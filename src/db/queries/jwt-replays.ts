import type { Db, JwtReplayTable } from '../database.js';

export type JwtReplayRow = JwtReplayTable;

/**
 * Token ids the `jwt` connections accepted. Remembering one is an insert that does nothing when
 * the (connection, jti) pair is there already: of two requests with one token, on any instance,
 * exactly one inserts, and the other is the replay.
 */
export function createJwtReplayQueries(db: Db) {
  return {
    /** False when this connection accepted the token id before (and it is not swept yet). */
    remember: async (row: JwtReplayRow): Promise<boolean> => {
      const result = await db.insertInto('jwt_replays').values(row).onConflict((oc) => oc.columns(['connection_id', 'jti_hash']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('jwt_replays').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
