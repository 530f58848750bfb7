import { existsSync } from 'node:fs';
import { readDeclarations } from '../setup/config-file.js';
import { loadConfig } from '../config/load.js';
import { openStorage, sqliteFileOf } from '../db/open-storage.js';
import { migrateToLatest } from '../db/migrate.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { createSignInProtection, type SignInProtection } from '../protection/sign-in-protection.js';
import { systemClock } from '../runtime/clock.js';
import { randomIds } from '../runtime/ids.js';
import { createUserService, type UserService } from '../users/user-service.js';

/** What an administrative command works with: the same database and settings as the server. */
export interface CliContext {
  users: UserService;
  protection: SignInProtection;
  close(): Promise<void>;
}

/**
 * The server's environment, configuration file and database, without the server: commands run
 * beside a running instance (SQLite waits for its write lock; PostgreSQL is shared anyway).
 */
export async function openCliContext(env: NodeJS.ProcessEnv | undefined): Promise<CliContext> {
  const config = loadConfig(env);
  const declarations = await readDeclarations(config.configFile);
  assertDatabaseExists(config.databaseUrl, config.dataDir);
  const storage = openStorage(config);
  try {
    await migrateToLatest(storage.db);
  } catch (error) {
    await storage.close();
    throw error;
  }
  const settings = declarations.security;
  return {
    users: createUserService({ db: storage.db, clock: systemClock, ids: randomIds, security: settings }),
    protection: createSignInProtection({ db: storage.db, clock: systemClock, settings }),
    close: () => storage.close(),
  };
}

/** Creating an empty database here would only hide a wrong GATEHOUSE_DATA_DIR. */
function assertDatabaseExists(databaseUrl: string | undefined, dataDir: string): void {
  const file = sqliteFileOf(dataDir);
  if (!databaseUrl && !existsSync(file)) {
    throw new GatehouseError('config_invalid', `no Gatehouse database at ${file}: set GATEHOUSE_DATA_DIR (or DATABASE_URL) as for the server`);
  }
}
