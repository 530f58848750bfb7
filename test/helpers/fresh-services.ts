import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import type { SecretBox } from '../../src/crypto/secret-box.js';
import { openPostgres, openSqlite } from '../../src/db/connect.js';
import type { Storage } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Clock } from '../../src/runtime/clock.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices, type Services } from '../../src/services.js';
import { createPostgresDatabase, type TestDialect } from './databases.js';

export interface FreshStorage {
  storage: Storage;
  /** Closes the storage and removes the database. */
  cleanup(): Promise<void>;
}

/** An empty database of the dialect's own, not migrated: a PostgreSQL database or a SQLite file in a fresh directory. */
export async function openFreshStorage(dialect: TestDialect): Promise<FreshStorage> {
  if (dialect === 'postgres') {
    const database = await createPostgresDatabase();
    const storage = openPostgres(database.url);
    return { storage, cleanup: async () => { await storage.close(); await database.drop(); } };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-services-'));
  const storage = openSqlite(path.join(dir, 'test.sqlite'));
  return { storage, cleanup: async () => { await storage.close(); await rm(dir, { recursive: true, force: true }); } };
}

/** A migrated fresh database and the services over it, with the default security settings; `cleanup` closes both. */
export async function openFreshServices(dialect: TestDialect, { box, clock }: { box: SecretBox; clock: Clock }): Promise<FreshStorage & { services: Services }> {
  const opened = await openFreshStorage(dialect);
  try {
    await migrateToLatest(opened.storage.db);
  } catch (error) {
    await opened.cleanup();
    throw error;
  }
  const services = createServices({ db: opened.storage.db, box, clock, ids: randomIds, security: defaultSecuritySettings });
  return {
    ...opened,
    services,
    async cleanup() {
      await services.close();
      await opened.cleanup();
    },
  };
}
