import { sql } from 'kysely';
import type { Db } from '../database.js';

const engine = 'engine';

/** The version of what the protocol engine is built from; see the engine_state migration. */
export function createEngineStateQueries(db: Db) {
  return {
    version: async (): Promise<number> =>
      Number((await db.selectFrom('engine_state').select('version').where('name', '=', engine).executeTakeFirstOrThrow()).version),
    /** Called in the transaction that changes scopes or keys, so the change and its signal commit together. */
    bump: async (): Promise<void> => {
      await db.updateTable('engine_state').set({ version: sql<number>`version + 1` }).where('name', '=', engine).execute();
    },
  };
}
