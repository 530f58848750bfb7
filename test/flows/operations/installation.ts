import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { openStorage } from '../../../src/db/open-storage.js';
import { secretOf } from '../../helpers/applications.js';
import { createPostgresDatabase, type TestDialect } from '../../helpers/databases.js';
import { freePort } from '../../helpers/free-port.js';
import { storedEvents } from '../audit/steps.js';

/**
 * A data directory (and on PostgreSQL a database) of the test's own, with the machine-to-machine
 * application `m2m` of tokenBurst declared, and the environment an operator would start
 * Gatehouse with on a free port.
 */
export async function installation(dialect: TestDialect): Promise<{
  env: Record<string, string>; port: number; url: string; tokenEvents(): Promise<number>; cleanup(): Promise<void>;
}> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-operations-'));
  const configFile = path.join(dataDir, 'gatehouse.json');
  await writeFile(configFile, JSON.stringify({
    applications: [{ client_id: 'm2m', client_secret: secretOf('m2m'), grant_types: ['client_credentials'], response_types: [], scope: 'reports:read' }],
    scopes: [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }],
  }));
  const database = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_CONFIG: configFile, PORT: String(port), GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_PUBLIC_URL: url, GATEHOUSE_LOG_LEVEL: 'warn',
    ...(database ? { DATABASE_URL: database.url, GATEHOUSE_SECRET: 'operations-test-secret-0123456789abcdefghijklmnop' } : {}),
  };
  return {
    env, port, url,
    async tokenEvents() {
      const storage = openStorage(loadConfig(env));
      try {
        return (await storedEvents(storage.db, 'token.issued')).length;
      } finally {
        await storage.close();
      }
    },
    async cleanup() {
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
