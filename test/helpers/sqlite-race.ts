import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery } from 'kysely';
import { defaults } from '../../src/config/defaults.js';
import { openPostgres, openSqlite } from '../../src/db/connect.js';
import type { Database, Storage } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createPostgresDatabase, type TestDialect } from './databases.js';

/** A migrated storage that other connections can reach too, to race Gatehouse's own against them. */
export interface SharedStorage {
  storage: Storage;
  /** SQLite: the file (rather than :memory:), so that connections of other threads can share it. */
  sqliteFile: string | undefined;
  /** PostgreSQL: a database of the test file's own, for a second pool (a second instance). */
  postgresDatabaseUrl: string | undefined;
  /** Closes the storage, then removes the file or drops the database. */
  close(): Promise<void>;
}

export async function openSharedStorage(dialect: TestDialect): Promise<SharedStorage> {
  let shared: SharedStorage;
  if (dialect === 'postgres') {
    const database = await createPostgresDatabase();
    const storage = openPostgres(database.url);
    shared = { storage, sqliteFile: undefined, postgresDatabaseUrl: database.url, close: () => storage.close().finally(() => database.drop()) };
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-db-'));
    const sqliteFile = path.join(dir, 'gatehouse.sqlite');
    const storage = openSqlite(sqliteFile);
    shared = { storage, sqliteFile, postgresDatabaseUrl: undefined, close: () => storage.close().finally(() => rm(dir, { recursive: true, force: true })) };
  }
  try {
    await migrateToLatest(shared.storage.db);
  } catch (error) {
    await shared.close();
    throw error;
  }
  return shared;
}

/**
 * The SQL a query module runs, compiled for SQLite but not executed: what the racing threads run.
 * `run` calls the module on the database it is given; the last statement it compiles is returned.
 */
export async function sqliteStatement(run: (db: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery> {
  let captured: CompiledQuery | undefined;
  const compileOnly = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
    log: (event) => {
      captured = event.query;
    },
  });
  await run(compileOnly);
  return captured!;
}

/**
 * Runs each statement in a thread of its own with its own connection to the SQLite file,
 * released together from a barrier, so that the statements really run at the same time.
 * Returns whether each changed a row. (The threads run plain better-sqlite3: loading the
 * TypeScript sources in every thread would take seconds.)
 */
export async function raceInThreads(file: string, statements: CompiledQuery[]): Promise<boolean[]> {
  const barrier = new SharedArrayBuffer(4);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const busyTimeout = defaults.databaseWaitMilliseconds;
  const racers = statements.map((statement) => {
    const worker = new Worker(raceThread, { eval: true, workerData: { file, driver, busyTimeout, sql: statement.sql, parameters: statement.parameters, barrier } });
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const outcome = new Promise<boolean>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (message: { ready?: true; changed?: boolean }) => (message.ready ? markReady() : resolve(message.changed!)));
    });
    return { ready, outcome };
  });
  // A thread that fails before it is ready rejects its outcome instead of leaving the barrier waiting.
  await Promise.all(racers.map((r) => Promise.race([r.ready, r.outcome])));
  Atomics.store(new Int32Array(barrier), 0, 1);
  Atomics.notify(new Int32Array(barrier), 0);
  return Promise.all(racers.map((r) => r.outcome));
}

/**
 * One racing thread, with the per-connection pragmas of src/db/connect.ts: busy_timeout, so that
 * a locked file makes it wait, not fail; foreign_keys, so that a row's references are checked as
 * Gatehouse's own connections check them. (journal_mode is the file's, set by the test's connection.)
 */
const raceThread = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ' + Number(workerData.busyTimeout));
db.pragma('foreign_keys = ON');
const statement = db.prepare(workerData.sql);
parentPort.postMessage({ ready: true });
Atomics.wait(new Int32Array(workerData.barrier), 0, 0);
const { changes } = statement.run(...workerData.parameters);
db.close();
parentPort.postMessage({ changed: changes > 0 });
`;
