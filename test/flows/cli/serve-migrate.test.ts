/*
 * `gatehouse serve` and `gatehouse migrate` as processes of their own (the built bin, package.json's
 * bin dist/cli/main.js, with plain node), on each dialect: serve is the start of npm start,
 * an application created beside it with `gatehouse apps create` completes a code flow against
 * it, and SIGTERM ends it with status 0; migrate names what it applied, then that nothing was pending.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri } from '../../helpers/applications.js';
import { gatehouseIn, runGatehouse, spawnGatehouse, spawnNpmStart } from '../../helpers/cli.js';
import { signIn } from '../../helpers/code-flow.js';
import { createPostgresDatabase, dialects, type TestDialect } from '../../helpers/databases.js';
import { freePort } from '../../helpers/free-port.js';
import { insecure } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';

const secret = 'serve-test-secret-0123456789abcdefghijklmnop';

/** A data directory (and, for PostgreSQL, a database) of the test's own, as the environment names them. */
async function installation(dialect: TestDialect): Promise<{ env: Record<string, string>; dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-serve-'));
  // One worker, the server in the process itself: the supervisor of several is test/flows/operations/workers.test.ts's.
  const env: Record<string, string> = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent', GATEHOUSE_WORKERS: '1' };
  const database = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
  if (database) Object.assign(env, { DATABASE_URL: database.url, GATEHOUSE_SECRET: secret });
  return {
    env, dataDir,
    async cleanup() {
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with what the process printed once its start banner is complete. */
function startBanner(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no start banner within 60 s:\n${stdout}\n${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (/Gatehouse is ready[^]*\n\n$/.test(stdout)) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before its banner:\n${stdout}\n${stderr}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

for (const dialect of dialects) {
  describe(`gatehouse migrate (${dialect})`, () => {
    let setup: Awaited<ReturnType<typeof installation>>;
    before(async () => {
      setup = await installation(dialect);
    });
    after(() => setup?.cleanup());

    test('names each migration it applied, then says none were pending; it creates no master secret', async () => {
      const first = await runGatehouse(['migrate'], setup.env);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^applied \d+ migrations to the (SQLite database .*gatehouse\.sqlite|PostgreSQL database gatehouse_test_\w+ on 127\.0\.0\.1:5432):\n {2}2026-11-26-0001-init\n/);
      assert.doesNotMatch(first.stdout, /postgres@|:\/\//, 'no credentials or URL printed');
      const second = await runGatehouse(['migrate'], setup.env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^no migrations were pending: the .* is up to date\n$/);
      assert.equal(existsSync(path.join(setup.dataDir, 'secret.key')), false);
    });
  });

  describe(`gatehouse serve (${dialect})`, () => {
    let setup: Awaited<ReturnType<typeof installation>>;
    let child: ChildProcess;
    let banner: string;
    let url: string;
    let env: Record<string, string>;

    before(async () => {
      setup = await installation(dialect);
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const configFile = path.join(setup.dataDir, 'gatehouse.yaml');
      await writeFile(configFile, `users:\n  - username: alice\n    password: ${alice.password}\n    name: Alice Liddell\n`);
      env = { ...setup.env, GATEHOUSE_CONFIG: configFile, GATEHOUSE_PUBLIC_URL: url };
      child = spawnGatehouse(['serve'], { ...env, PORT: String(port), GATEHOUSE_HOST: '127.0.0.1' });
      banner = await startBanner(child);
    });
    after(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGKILL');
        await exitOf(child);
      }
      await setup?.cleanup();
    });

    test('prints the start banner of npm start and serves the issuer', async () => {
      assert.match(banner, new RegExp(`Gatehouse is ready \\((embedded SQLite in .*|PostgreSQL)\\)\\.\\n {2}Issuer: +${url}/oidc\\n`));
      const discovery = await fetch(`${url}/oidc/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      assert.equal(((await discovery.json()) as { issuer: string }).issuer, `${url}/oidc`);
    });

    test('an application created with gatehouse apps create beside it completes a code flow against it', async () => {
      const created = await gatehouseIn(env, ['apps', 'create', 'notes', '--redirect-uri', redirectUri, '--name', 'Notes']);
      assert.equal(created.code, 0, created.stderr);
      const clientSecret = /client_secret: (\S+)/.exec(created.stdout)![1]!;
      const server = { url, issuer: `${url}/oidc` } as TestServer; // what the code-flow helpers use of a server
      const config = await oidc.discovery(new URL(server.issuer), 'notes', clientSecret, undefined, insecure);
      const tokens = await signIn(server, config, 'openid profile');
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      assert.equal(userinfo.name, 'Alice Liddell');
    });

    test('SIGTERM closes it with exit status 0', async () => {
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
      await assert.rejects(fetch(`${url}/healthz`), 'nothing listens any more');
    });
  });
}

describe('npm start and gatehouse serve share their start', () => {
  test('npm start (the bundled dist/server/main.js) prints the same banner and stops the same way', async () => {
    const setup = await installation('sqlite');
    try {
      const port = await freePort();
      const child = spawnNpmStart({ ...setup.env, PORT: String(port), GATEHOUSE_HOST: '127.0.0.1' });
      const banner = await startBanner(child);
      assert.match(banner, new RegExp(`Gatehouse is ready \\(embedded SQLite in ${setup.dataDir.replace(/[.]/g, '\\.')}\\)\\.\\n {2}Issuer: +http://localhost:${port}/oidc\\n`));
      assert.match(banner, /First administrator: user "admin"\n {4}password: \S+ {3}\(shown this once/);
      child.kill('SIGTERM');
      assert.equal(await exitOf(child), 0);
    } finally {
      await setup.cleanup();
    }
  });
});
