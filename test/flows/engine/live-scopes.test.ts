import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { gatehouse } from '../../helpers/cli.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects, skipWithoutPostgres } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const declarations = {
  applications: [{ client_id: 'web', client_secret: secretOf('web'), redirect_uris: [redirectUri] }],
  users: [{ ...alice, attributes: { badge_colour: 'blue', floor: '3' } }],
};

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
  const config = await oidc.discovery(new URL(signInOn.issuer), 'web', secretOf('web'), undefined, insecure);
  const tokens = await signIn(signInOn, config, scope);
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
