import { sql } from 'kysely';
import { isPostgres } from '../connect.js';
import type { Db } from '../database.js';

/**
 * What each counter of `engine_state` follows: `engine`, what the protocol engine is built from
 * (scopes, keys); `applications`, the applications every process keeps in memory.
 */
export type StateName = 'engine' | 'applications';

/** The PostgreSQL channel of each counter, which every instance listens on (db/change-listener.ts) to follow a change at once. */
export const stateChannels: Record<StateName, string> = { engine: 'gatehouse_engine', applications: 'gatehouse_applications' };
export const engineChannel = stateChannels.engine;

/** A version counter; see the engine_state and applications-version migrations. */
export function createEngineStateQueries(db: Db, name: StateName = 'engine') {
  return {
    version: async (): Promise<number> =>
      Number((await db.selectFrom('engine_state').select('version').where('name', '=', name).executeTakeFirstOrThrow()).version),
    /**
     * Takes the counter row's write lock for the rest of the transaction (a write that changes
     * nothing): changes that each touch several rows take it first, so that two of them never
     * lock those rows in opposite orders, and SQLite takes its write lock before any read.
     */
    lock: async (): Promise<void> => {
      await db.updateTable('engine_state').set((eb) => ({ version: eb.ref('version') })).where('name', '=', name).execute();
    },
    /**
     * Called in the transaction that makes the change, so the change and its signal commit
     * together. On PostgreSQL the notice is queued in that transaction too: it is delivered on
     * commit, never for a change rolled back, and other instances need not wait for their check.
     */
    bump: async (): Promise<void> => {
      await db.updateTable('engine_state').set({ version: sql<number>`version + 1` }).where('name', '=', name).execute();
      if (isPostgres(db)) await sql`select pg_notify(${stateChannels[name]}, '')`.execute(db);
    },
  };
}
