import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import { secretOf } from '../../helpers/applications.js';
import { Browser } from '../../helpers/browser.js';
import { obtainCallback, redeem } from '../../helpers/code-flow.js';
import { createPostgresDatabase, dialects } from '../../helpers/databases.js';
import { freePort } from '../../helpers/free-port.js';
import { insecure, oauthError } from '../../helpers/oauth.js';
import { coreDeclarations } from './fixtures.js';
import { untilReady } from '../../helpers/server-process.js';

const repository = path.resolve(fileURLToPath(import.meta.url), '../../../..');
const adminPassword = 'admin-password-that-must-stay-private';
const masterSecret = 'master-secret-that-must-stay-private-0123456789';
const mistypedPassword = 'mistyped-password-that-must-stay-private';
const webSecret = secretOf('web');
const m2mSecret = secretOf('m2m');

/** Gatehouse as `npm start` runs it, as its own process, with every log line kept. */
interface RunningProcess {
  url: string;
  issuer: string;
  output(): string;
  stop(): Promise<void>;
}

async function startProcess(env: Record<string, string>): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GATEHOUSE_') && name !== 'DATABASE_URL'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repository,
    env: { ...inherited, ...env, PORT: String(port), GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_PUBLIC_URL: url, GATEHOUSE_LOG_LEVEL: 'trace', GATEHOUSE_WORKERS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output } = await untilReady(child);
  return {
    url,
    issuer: `${url}/oidc`,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A secret as it could leak: verbatim, form-encoded, or inside a Basic authorization header. */
function leaks(output: string, secret: string, clientId?: string): string[] {
  const forms = [secret, encodeURIComponent(secret)];
  if (clientId) forms.push(Buffer.from(`${clientId}:${secret}`).toString('base64'));
  return forms.filter((form) => output.includes(form));
}

for (const dialect of dialects) {
  describe(`secrets never reach the logs, even at trace level (${dialect})`, () => {
    let gatehouse: RunningProcess;
    let cleanup: () => Promise<void>;
    let adminUserinfo: oidc.UserInfoResponse;

    before(async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-logs-'));
      const configFile = path.join(dataDir, 'gatehouse.json');
      await writeFile(configFile, JSON.stringify({ applications: coreDeclarations.applications, scopes: coreDeclarations.scopes }));
      const database = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
      cleanup = async () => {
        await database?.drop();
        await rm(dataDir, { recursive: true, force: true });
      };
      const env: Record<string, string> = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_CONFIG: configFile, GATEHOUSE_ADMIN_PASSWORD: adminPassword };
      if (database) Object.assign(env, { DATABASE_URL: database.url, GATEHOUSE_SECRET: masterSecret });
      gatehouse = await startProcess(env);

      // Everything a secret travels through: sign-in forms, Basic and post client authentication, introspection.
      const web = await oidc.discovery(new URL(gatehouse.issuer), 'web', webSecret, undefined, insecure);
      const m2m = await oidc.discovery(new URL(gatehouse.issuer), 'm2m', undefined, oidc.ClientSecretPost(m2mSecret), insecure);
      const browser = new Browser([gatehouse.url]);
      const wrong = await obtainCallback(browser, web, 'openid', { credentials: { username: 'admin', password: mistypedPassword } }).catch((error: Error) => error);
      assert.ok(wrong instanceof Error, 'the mistyped password is refused');
      const { pending, callback } = await obtainCallback(browser, web, 'openid profile', { credentials: { username: 'admin', password: adminPassword } });
      const tokens = await redeem(web, pending, callback);
      adminUserinfo = await oidc.fetchUserInfo(web, tokens.access_token, tokens.claims()!.sub);
      const machine = await oidc.clientCredentialsGrant(m2m, { scope: 'reports:read' });
      await oidc.tokenIntrospection(m2m, machine.access_token);
      const impostor = new oidc.Configuration(m2m.serverMetadata(), 'm2m', webSecret);
      oidc.allowInsecureRequests(impostor);
      assert.equal(await oauthError(oidc.clientCredentialsGrant(impostor, { scope: 'reports:read' })), 'invalid_client');
      await gatehouse.stop();
    });
    after(async () => {
      await gatehouse?.stop();
      await cleanup?.();
    });

    test('with no users, the first administrator signs in with GATEHOUSE_ADMIN_PASSWORD', () => {
      assert.equal(adminUserinfo.preferred_username, 'admin');
    });

    test('the log shows the requests that carried the secrets (the capture works)', () => {
      const requests = gatehouse.output().split('\n').filter((line) => line.includes('"request completed"'));
      assert.ok(requests.some((line) => line.includes('"path":"/oidc/token"')), 'token requests are logged');
      assert.ok(requests.some((line) => line.includes('"path":"/oidc/token/introspection"')), 'introspection is logged');
      assert.ok(requests.filter((line) => /"path":"\/interaction\/[^"]+\/login"/.test(line)).length >= 2, 'both login posts are logged');
    });

    test('no client secret appears', () => {
      assert.deepEqual(leaks(gatehouse.output(), webSecret, 'web'), []);
      assert.deepEqual(leaks(gatehouse.output(), m2mSecret, 'm2m'), []);
    });

    test('no password appears, right or wrong', () => {
      assert.deepEqual(leaks(gatehouse.output(), adminPassword), []);
      assert.deepEqual(leaks(gatehouse.output(), mistypedPassword), []);
      assert.match(gatehouse.output(), /password: the value of GATEHOUSE_ADMIN_PASSWORD/, 'the banner names the variable instead');
    });

    test('the master secret does not appear', () => {
      assert.deepEqual(leaks(gatehouse.output(), masterSecret), []);
    });
  });
}
