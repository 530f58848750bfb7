import type { Db } from './database.js';
import { inTransaction } from './in-transaction.js';
import { createEngineStateQueries } from './queries/engine-state.js';

/**
 * Runs a change of something the protocol engine is built from (custom scopes, API resources)
 * in one transaction and, when it changed anything, moves the engine version in the same one,
 * so that every instance rebuilds; re-applying what is stored already moves nothing.
 */
export function changingEngineState<T>(db: Db, work: (trx: Db) => Promise<{ result: T; changed: boolean }>): Promise<T> {
  return inTransaction(db, async (trx) => {
    const { result, changed } = await work(trx);
    if (changed) await createEngineStateQueries(trx).bump();
    return result;
  });
}
