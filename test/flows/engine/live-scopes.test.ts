import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { runCli } from '../../../src/cli/run-cli.js';
import { dialects, skipWithoutPostgres } from '../../helpers/databases.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const redirectUri = 'https://live.example.test/callback';
const secret = 'live-scopes-secret-0123456789-0123456789';
const alice = { username: 'alice', password: 'correct horse battery staple' };

const declarations = {
  applications: [{ client_id: 'web', client_secret: secret, redirect_uris: [redirectUri] }],
  users: [{ username: 'alice', password: alice.password, attributes: { badge_colour: 'blue', floor: '3' } }],
};

/** Runs `gatehouse <argv>` in-process against the server's data, as an operator beside it would. */
async function gatehouse(server: TestServer, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { config } = server;
  const env: Record<string, string> = { GATEHOUSE_DATA_DIR: config.dataDir, GATEHOUSE_LOG_LEVEL: 'silent' };
  if (config.configFile) env.GATEHOUSE_CONFIG = config.configFile;
  if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
  if (config.secret) env.GATEHOUSE_SECRET = config.secret;
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdin: Readable.from([]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  });
  return { code, stdout, stderr };
}

async function scopesSupported(server: TestServer): Promise<string[]> {
  const response = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
  return ((await response.json()) as { scopes_supported: string[] }).scopes_supported;
}

/** Waits, a bounded number of checks, until every instance's discovery lists (or no longer lists) the scope. */
async function untilEveryInstance(servers: TestServer[], scope: string, listed: boolean): Promise<void> {
  for (let check = 0; check < 100; check += 1) {
    const seen = await Promise.all(servers.map(async (server) => (await scopesSupported(server)).includes(scope)));
    if (seen.every((value) => value === listed)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`"${scope}" is ${listed ? 'still not' : 'still'} in scopes_supported after 10 seconds`);
}

/** Signs alice in on one instance with the scope, and reads userinfo on another. */
async function userinfoThrough(signInOn: TestServer, userinfoOn: TestServer, scope: string): Promise<Record<string, unknown>> {
  const config = await oidc.discovery(new URL(signInOn.issuer), 'web', secret, undefined, insecure);
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope });
  const callback = await callbackFor(newBrowser(signInOn), url, alice);
  const tokens = await oidc.authorizationCodeGrant(config, callback);
  const response = await fetch(`${userinfoOn.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

for (const dialect of dialects) {
  describe(`a scope created while the server runs (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ dialect, declarations });
    });
    after(() => server?.close());

    test('gatehouse scopes create: released in userinfo without a restart', async () => {
      assert.ok(!(await scopesSupported(server)).includes('badge'));
      const created = await gatehouse(server, ['scopes', 'create', 'badge', 'See your badge colour', 'badge_colour']);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /created scope "badge" releasing badge_colour/);
      await untilEveryInstance([server], 'badge', true);
      const claims = await userinfoThrough(server, server, 'openid badge');
      assert.equal(claims.badge_colour, 'blue');
      assert.equal(claims.floor, undefined, 'only the new scope\'s claims are released');
    });

    test('bad input names what is wrong and changes nothing', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['scopes', 'create', 'profile', 'Mine now', 'floor'], /name: is a standard scope/],
        [['scopes', 'create', 'floor', 'Your floor', ''], /claims: /],
        [['scopes', 'create', 'floor', 'Your floor', 'not a claim'], /claims\.0: must be a claim name/],
        [['scopes', 'create', 'badge', 'Again', 'floor'], /a scope "badge" exists already/],
        [['scopes', 'delete', 'nothing-here'], /no scope "nothing-here"/],
      ];
      for (const [argv, message] of cases) {
        const result = await gatehouse(server, argv);
        assert.equal(result.code, 1, argv.join(' '));
        assert.match(result.stderr, message);
      }
      const listed = await gatehouse(server, ['scopes', 'list']);
      assert.equal(listed.stdout, 'badge\tbadge_colour\tSee your badge colour\n');
    });

    test('gatehouse scopes delete: the scope is no longer offered, without a restart', async () => {
      const deleted = await gatehouse(server, ['scopes', 'delete', 'badge']);
      assert.equal(deleted.code, 0, deleted.stderr);
      await untilEveryInstance([server], 'badge', false);
    });
  });
}

describe('a scope created while two instances share PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    first = await startServer({ dialect: 'postgres', declarations });
    second = await first.startSibling();
  });
  after(() => first?.close());

  test('both instances release it, a token from one answering on the other', async () => {
    const created = await gatehouse(first, ['scopes', 'create', 'floor', 'See which floor you work on', 'floor']);
    assert.equal(created.code, 0, created.stderr);
    await untilEveryInstance([first, second], 'floor', true);
    assert.equal((await userinfoThrough(second, first, 'openid floor')).floor, '3');
    assert.equal((await userinfoThrough(first, second, 'openid floor')).floor, '3');
  });
});
