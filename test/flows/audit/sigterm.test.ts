/*
 * Gatehouse as `npm start` runs it, in a process of its own, stopped with SIGTERM the moment the
 * last of a burst of requests is answered: every event those requests recorded is in the
 * database once the process has exited, and it exited cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import { openStorage } from '../../../src/db/open-storage.js';
import { secretOf } from '../../helpers/applications.js';
import { createPostgresDatabase, dialects } from '../../helpers/databases.js';
import { freePort } from '../../helpers/free-port.js';
import { storedEvents, tokenBurst } from './steps.js';
import { untilReady } from '../../helpers/server-process.js';

const repository = path.resolve(fileURLToPath(import.meta.url), '../../../..');

for (const dialect of dialects) {
  describe(`SIGTERM right after a burst of requests (${dialect})`, () => {
    let env: Record<string, string>;
    let child: ChildProcess;
    let output: () => string = () => '';
    let cleanup: () => Promise<void>;

    before(async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-audit-sigterm-'));
      const configFile = path.join(dataDir, 'gatehouse.json');
      await writeFile(configFile, JSON.stringify({
        applications: [{ client_id: 'm2m', client_secret: secretOf('m2m'), grant_types: ['client_credentials'], response_types: [], scope: 'reports:read' }],
        scopes: [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }],
      }));
      const database = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
      cleanup = async () => {
        await database?.drop();
        await rm(dataDir, { recursive: true, force: true });
      };
      const port = await freePort();
      env = {
        GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_CONFIG: configFile, PORT: String(port), GATEHOUSE_HOST: '127.0.0.1',
        GATEHOUSE_PUBLIC_URL: `http://127.0.0.1:${port}`, GATEHOUSE_LOG_LEVEL: 'warn',
        ...(database ? { DATABASE_URL: database.url, GATEHOUSE_SECRET: 'sigterm-test-secret-0123456789abcdefghijklmnop' } : {}),
      };
      child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: repository, env: { PATH: process.env.PATH ?? '', GATEHOUSE_WORKERS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      ({ output } = await untilReady(child));
    });
    after(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      await cleanup?.();
    });

    test('400 tokens, SIGTERM as the last is answered: exit status 0 and 400 token.issued events stored', async () => {
      const url = env.GATEHOUSE_PUBLIC_URL!;
      await tokenBurst({ url, issuer: `${url}/oidc` }, 400);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0, output());
      assert.doesNotMatch(output(), /audit events could not be written|are lost/);

      const storage = openStorage(loadConfig(env));
      try {
        assert.equal((await storedEvents(storage.db, 'token.issued')).length, 400);
      } finally {
        await storage.close();
      }
    });
  });
}
