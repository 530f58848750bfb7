import path from 'node:path';
import { defaults } from '../config/defaults.js';
import type { GatehouseConfig } from '../config/load.js';
import { openPostgres, openSqlite } from './connect.js';
import type { Storage } from './database.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded SQLite file in the data directory. */
export function openStorage(
  config: Pick<GatehouseConfig, 'databaseUrl' | 'dataDir'>,
  onIdleError?: (error: Error) => void,
): Storage {
  return config.databaseUrl ? openPostgres(config.databaseUrl, onIdleError) : openSqlite(sqliteFileOf(config.dataDir));
}

export function sqliteFileOf(dataDir: string): string {
  return path.join(dataDir, defaults.sqliteFileName);
}
