import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { createGatehouse, type Gatehouse } from '../../../src/gatehouse.js';
import { loadConfig } from '../../../src/config/load.js';
import { openPostgres } from '../../../src/db/connect.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { createPostgresDatabase, skipWithoutPostgres } from '../../helpers/databases.js';
import { freePort } from '../../helpers/free-port.js';
import { carol } from '../../helpers/people.js';
import { basicAuth } from '../../helpers/token-endpoint.js';

const secret = 'concurrent-start-secret-0123456789abcdef';

/** Builds instances at the same moment on one fresh database, as containers starting together. */
async function startTwinsAt(databaseUrl: string, declarations: Record<string, unknown> | undefined, count = 2): Promise<Gatehouse[]> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-twins-'));
  try {
    const env: Record<string, string> = { DATABASE_URL: databaseUrl, GATEHOUSE_SECRET: secret, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent' };
    if (declarations) {
      env.GATEHOUSE_CONFIG = path.join(dataDir, 'gatehouse.json');
      await writeFile(env.GATEHOUSE_CONFIG, JSON.stringify(declarations));
    }
    const port = await freePort();
    const config = loadConfig({ ...env, PORT: String(port), GATEHOUSE_PUBLIC_URL: `http://127.0.0.1:${port}` });
    return await Promise.all(Array.from({ length: count }, () => createGatehouse(config, { logger: pino({ level: 'silent' }) })));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('instances starting at once on one empty PostgreSQL database', { skip: skipWithoutPostgres }, () => {
  test('each migration is applied by exactly one of three migrating at once', async () => {
    const database = await createPostgresDatabase();
    const storages = [0, 1, 2].map(() => openPostgres(database.url));
    try {
      const applied = (await Promise.all(storages.map((storage) => migrateToLatest(storage.db)))).flat();
      const stored = await storages[0]!.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
      assert.ok(applied.length > 0);
      assert.deepEqual([...applied].sort(), (stored as Array<{ name: string }>).map((row) => row.name).sort(), 'every stored migration applied once, none twice');
    } finally {
      await Promise.all(storages.map((storage) => storage.close()));
      await database.drop();
    }
  });

  test('three start, the first administrator is created once, and the keys are shared', async () => {
    const database = await createPostgresDatabase();
    const twins = await startTwinsAt(database.url, undefined, 3);
    try {
      assert.equal(twins.filter((twin) => twin.startup.admin).length, 1, 'exactly one instance reports the administrator');
      const jwks = await Promise.all(twins.map(async (twin) => (await twin.app.inject({ url: '/oidc/jwks' })).body));
      assert.equal(new Set(jwks).size, 1);
    } finally {
      await Promise.all(twins.map((twin) => twin.app.close()));
      await database.drop();
    }
  });

  test('a declared user is created once, and a generated client secret is reported once and works', async () => {
    const database = await createPostgresDatabase();
    const twins = await startTwinsAt(database.url, {
      applications: [{ client_id: 'fresh', grant_types: ['client_credentials'] }],
      users: [carol],
    });
    try {
      const reported = twins.flatMap((twin) => twin.startup.applied.generatedSecrets);
      assert.equal(reported.length, 1, 'one instance generated the secret that was kept');
      for (const twin of twins) {
        const response = await twin.app.inject({
          method: 'POST',
          url: '/oidc/token',
          headers: { ...basicAuth('fresh', reported[0]!.secret), 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'grant_type=client_credentials',
        });
        assert.equal(response.statusCode, 200, response.body);
      }
    } finally {
      await Promise.all(twins.map((twin) => twin.app.close()));
      await database.drop();
    }
  });
});
