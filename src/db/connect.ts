import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import { defaults } from '../config/defaults.js';
import type { Database, Db, Storage } from './database.js';
import { isPostgresOutage, isSqliteOutage, storageUnavailable } from './outage-errors.js';
import { reportOutages } from './report-outages.js';
import { withStatementCache } from './statement-cache.js';

// Each driver is loaded only by the mode that uses it: embedded starts skip pg, and PostgreSQL
// deployments skip the native SQLite module.
const require = createRequire(import.meta.url);
const loadPg = () => require('pg') as typeof pg;
const loadSqlite = () => require('better-sqlite3') as typeof SqliteDatabase;

/** int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range. */
function postgresTypes(driver: typeof pg) {
  const parsers = { 20: (value: string) => Number(value) } as Record<number, (value: string) => unknown>;
  return {
    getTypeParser: (oid: number, format?: string) =>
      parsers[oid] ?? (driver.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format),
  };
}

/**
 * `onIdleError` hears about connections the server closed (restart, failover, an
 * administrator). Without a listener pg re-throws that as an uncaught exception, ending the
 * process; the pool replaces the connection, and /readyz reports an outage that lasts.
 */
export function openPostgres(url: string, onIdleError: (error: Error) => void = () => {}): Storage {
  const driver = loadPg();
  const pool = new driver.Pool({
    connectionString: url,
    max: defaults.postgresPoolSize,
    connectionTimeoutMillis: defaults.databaseWaitMilliseconds,
    types: postgresTypes(driver) as pg.CustomTypesConfig,
  });
  pool.on('error', onIdleError);
  // A connection cut while a request holds it emits 'error' on the client too, where the pool
  // listens only while the client is idle; unheard, that would end the process.
  pool.on('connect', (client) => client.on('error', onIdleError));
  const db = new Kysely<Database>({ dialect: reportOutages(new PostgresDialect({ pool }), isPostgresOutage) });
  return { db, dialect: 'postgres', close: () => db.destroy(), pool };
}

/**
 * A connection of its own, outside the pool: LISTEN holds its session for as long as it listens,
 * which a pooled connection, handed to whichever query comes next, cannot.
 */
export function openPostgresConnection(url: string): pg.Client {
  const driver = loadPg();
  // Keep-alive probes find a connection that died without a word (a failover, a dropped route), which would otherwise wait silently forever.
  return new driver.Client({ connectionString: url, connectionTimeoutMillis: defaults.databaseWaitMilliseconds, keepAlive: true });
}

/** Whether a handle, or a transaction of it, talks to PostgreSQL (for what SQLite has no counterpart of: NOTIFY, advisory locks). */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export function openSqlite(file: string): Storage {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = openSqliteFile(file);
  const dialect = new SqliteDialect({ database: withStatementCache(database, defaults.sqliteStatementCacheSize) });
  const db = new Kysely<Database>({ dialect: reportOutages(dialect, isSqliteOutage) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** A file that cannot be opened at start is reported as at run time: storage_unavailable, with the driver's reason. */
function openSqliteFile(file: string): SqliteDatabase.Database {
  const Sqlite = loadSqlite();
  let database: SqliteDatabase.Database | undefined;
  try {
    database = new Sqlite(file);
    // WAL lets readers proceed during a write; busy_timeout makes a second process wait instead of failing.
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${defaults.databaseWaitMilliseconds}`);
    database.pragma('foreign_keys = ON');
    return database;
  } catch (error) {
    database?.close();
    throw isSqliteOutage(error) ? storageUnavailable(error) : error;
  }
}
