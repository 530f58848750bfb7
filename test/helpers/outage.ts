import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { defaults } from '../../src/config/defaults.js';
import { sqliteFileOf } from '../../src/db/open-storage.js';
import { postgresUrl, type TestDialect } from './databases.js';
import type { TestServer } from './start-server.js';

/** What the drivers say about an outage; the operator reads it in the log, the caller never does. */
export const outageInternals = /ECONNREFUSED|SQLITE|database is locked|terminating connection|not currently accepting|Connection terminated|\bat .*\.(ts|js):\d+/;

/** Gives the database back after an outage the test caused. */
export type Outage = { end(): Promise<void> };

/**
 * How long the server's SQLite connection waits for the write lock during an outage, instead of
 * its 5 s (defaults.databaseWaitMilliseconds): a write still waits, gives up and is answered as it
 * would be after 5 s, without the test idling 5 s for each write it sends.
 */
const outageWaitMilliseconds = 300;

/**
 * PostgreSQL: refuse new connections and cut the open ones, as a restart or failover does.
 * SQLite: another process holds the write lock past busy_timeout, as a backup tool or a second
 * instance on the same file does; readers go on in WAL mode, so only what writes fails. The other
 * process waits for the lock as Gatehouse's connections do, so a write under way does not make
 * the outage itself fail to start. For the outage, the server's connection (its only one) waits
 * outageWaitMilliseconds for the lock; its own wait comes back with the database.
 */
export async function takeDatabaseAway(server: TestServer, dialect: TestDialect): Promise<Outage> {
  if (dialect === 'sqlite') {
    const db = server.services.deps.db;
    const setServerWait = (milliseconds: number) => sql.raw(`pragma busy_timeout = ${milliseconds}`).execute(db);
    const other = new Sqlite(sqliteFileOf(server.config.dataDir));
    other.pragma('busy_timeout = 5000');
    other.exec('begin exclusive');
    await setServerWait(outageWaitMilliseconds);
    return {
      async end() {
        other.exec('rollback');
        other.close();
        await setServerWait(defaults.databaseWaitMilliseconds);
      },
    };
  }
  const name = new URL(server.config.databaseUrl!).pathname.slice(1);
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`alter database ${name} allow_connections false`);
  await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
  return {
    async end() {
      await admin.query(`alter database ${name} allow_connections true`);
      await admin.end();
    },
  };
}
