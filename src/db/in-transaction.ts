import type { Db } from './database.js';

/**
 * Runs `work` in a transaction, or inside the caller's when `db` already is one, so that a
 * command is atomic on its own and also as one step of a larger change (the configuration file).
 */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
