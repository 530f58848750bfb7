import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { defaults } from '../config/defaults.js';
import type { Database, Storage } from './database.js';

/** int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range. */
function postgresTypes() {
  const parsers = { 20: (value: string) => Number(value) } as Record<number, (value: string) => unknown>;
  return {
    getTypeParser: (oid: number, format?: string) =>
      parsers[oid] ?? (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format),
  };
}

/**
 * `onIdleError` hears about idle connections the server closed (restart, failover, an
 * administrator). Without a listener pg re-throws that as an uncaught exception, ending the
 * process; the pool replaces the connection, and /readyz reports an outage that lasts.
 */
export function openPostgres(url: string, onIdleError: (error: Error) => void = () => {}): Storage {
  const pool = new pg.Pool({
    connectionString: url,
    max: defaults.postgresPoolSize,
    connectionTimeoutMillis: defaults.databaseWaitMilliseconds,
    types: postgresTypes() as pg.CustomTypesConfig,
  });
  pool.on('error', onIdleError);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

export function openSqlite(file: string): Storage {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(file);
  // WAL lets readers proceed during a write; busy_timeout makes a second process wait instead of failing.
  database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${defaults.databaseWaitMilliseconds}`);
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}
