import { sql } from 'kysely';
import { isPostgres } from '../connect.js';
import type { Db } from '../database.js';

const engine = 'engine';

/** The PostgreSQL channel every instance listens on (db/change-listener.ts) to rebuild its engine at once. */
export const engineChannel = 'gatehouse_engine';

/** The version of what the protocol engine is built from; see the engine_state migration. */
export function createEngineStateQueries(db: Db) {
  return {
    version: async (): Promise<number> =>
      Number((await db.selectFrom('engine_state').select('version').where('name', '=', engine).executeTakeFirstOrThrow()).version),
    /**
     * Called in the transaction that changes scopes or keys, so the change and its signal commit
     * together. On PostgreSQL the notice is queued in that transaction too: it is delivered on
     * commit, never for a change rolled back, and other instances need not wait for their check.
     */
    bump: async (): Promise<void> => {
      await db.updateTable('engine_state').set({ version: sql<number>`version + 1` }).where('name', '=', engine).execute();
      if (isPostgres(db)) await sql`select pg_notify(${engineChannel}, '')`.execute(db);
    },
  };
}
