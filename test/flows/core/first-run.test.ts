import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { defaults } from '../../../src/config/defaults.js';
import { loadConfig } from '../../../src/config/load.js';
import { isGatehouseError } from '../../../src/errors/gatehouse-error.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';

/** A configuration file with applications only: the database has no users after it is applied. */
const applicationsOnly = { applications: coreDeclarations.applications.filter((a) => a.client_id === 'spa') };

function configError(env: Record<string, string>): { code: string; message: string } {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(isGatehouseError(error));
    return { code: error.code, message: error.message };
  }
  throw new Error('loadConfig accepted the environment');
}

describe('environment checks at start', () => {
  test('DATABASE_URL without GATEHOUSE_SECRET stops the start with secret_missing', () => {
    const { code, message } = configError({ DATABASE_URL: 'postgres://gatehouse@db.internal/gatehouse' });
    assert.equal(code, 'secret_missing');
    assert.match(message, /GATEHOUSE_SECRET is required with DATABASE_URL/);
  });

  test('a short GATEHOUSE_SECRET is refused, naming the variable', () => {
    const { code, message } = configError({ GATEHOUSE_SECRET: 'too-short' });
    assert.equal(code, 'config_invalid');
    assert.match(message, /GATEHOUSE_SECRET/);
  });

  test('a GATEHOUSE_PUBLIC_URL with a path is refused: the issuer is always <origin>/oidc', () => {
    const { code, message } = configError({ GATEHOUSE_PUBLIC_URL: 'https://id.example.com/auth' });
    assert.equal(code, 'config_invalid');
    assert.match(message, /GATEHOUSE_PUBLIC_URL/);
  });
});

for (const dialect of dialects) {
  describe(`first run (${dialect})`, () => {
    let server: TestServer;
    let spa: oidc.Configuration;
    let firstStartup: TestServer['startup'];
    let secretFile: string;

    let dataParent: string;

    before(async () => {
      // A data directory that does not exist yet, as on a fresh machine.
      dataParent = await mkdtemp(path.join(tmpdir(), 'gatehouse-first-run-'));
      const dataDir = path.join(dataParent, 'not', 'yet', 'data');
      server = await startServer({ declarations: applicationsOnly, dialect, env: { GATEHOUSE_DATA_DIR: dataDir } });
      firstStartup = server.startup;
      secretFile = path.join(dataDir, defaults.secretFileName);
      spa = await oidc.discovery(new URL(server.issuer), 'spa', undefined, oidc.None(), insecure);
    });
    after(async () => {
      await server?.close();
      await rm(dataParent, { recursive: true, force: true });
    });

    async function signsIn(username: string, password: string): Promise<boolean> {
      const tokens = await signIn(server, spa, 'openid profile', { credentials: { username, password } });
      const userinfo = await oidc.fetchUserInfo(spa, tokens.access_token, tokens.claims()!.sub);
      return userinfo.preferred_username === username;
    }

    /** The password the first start generated for the administrator it created. */
    const generatedPassword = () => (firstStartup.admin?.kind === 'created' ? firstStartup.admin.generatedPassword : undefined);

    test('with no users, an admin is created with a generated password, reported once, that signs in', async () => {
      assert.equal(firstStartup.admin?.username, 'admin');
      const password = generatedPassword();
      assert.ok(password && password.length >= defaults.security.passwordMinLength, 'a generated password as long as the policy asks');
      assert.equal(await signsIn('admin', password), true);
    });

    if (dialect === 'sqlite') {
      test('embedded mode creates the data directory (0700) with the database and secret.key (0600), and reuses them', async () => {
        assert.equal((await stat(server.config.dataDir)).mode & 0o777, 0o700);
        assert.ok((await stat(path.join(server.config.dataDir, defaults.sqliteFileName))).isFile());
        assert.equal(firstStartup.freshSecret, true);
        const { mode } = await stat(secretFile);
        assert.equal(mode & 0o777, 0o600);
        const secret = await readFile(secretFile, 'utf8');
        assert.ok(secret.trim().length >= defaults.minimumSecretLength);

        await server.restart();
        assert.equal(server.startup.freshSecret, false);
        assert.equal(await readFile(secretFile, 'utf8'), secret);
        assert.equal(server.startup.admin, undefined, 'the admin is created once, and its password is not reported again');
        assert.equal(await signsIn('admin', generatedPassword()!), true, 'stored keys and users still open');
      });
    } else {
      test('with GATEHOUSE_SECRET, no secret file is written', async () => {
        assert.equal(firstStartup.freshSecret, false);
        await assert.rejects(stat(secretFile), { code: 'ENOENT' });
        await server.restart();
        assert.equal(server.startup.admin, undefined, 'the admin is created once, and its password is not reported again');
      });
    }
  });
}
