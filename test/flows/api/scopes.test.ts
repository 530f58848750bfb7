/*
 * Custom scopes through the management API, over HTTP on the real server: a scope created or
 * changed through it is released in userinfo without a restart, within the engine-switch bound,
 * on this instance and on a sibling sharing PostgreSQL; standard names and declared scopes are
 * refused, and bad fields are named.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { dialects, skipWithoutPostgres } from '../../helpers/databases.js';
import { allPages, apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { switchBoundMs, within } from '../keys/steps.js';
import { claimsOf, passwordApp, userinfoOf } from './password-grant.js';

const employee = { name: 'employee', description: 'See your employee number', claims: ['employee_id'] };
const declarations = {
  applications: [automation, passwordApp],
  users: [{ ...alice, attributes: { department: 'Research', floor: '3', employee_id: 'E-1024' } }],
  scopes: [employee],
};
const badge = { name: 'badge', description: 'See your department', claims: ['department'] };

/** Waits until a token for these scopes from this instance releases what `wanted` accepts, within the engine-switch bound. */
const released = (server: TestServer, scope: string, what: string, wanted: (answer: Awaited<ReturnType<typeof userinfoOf>>) => boolean) =>
  within(switchBoundMs, what, async () => wanted(await userinfoOf(server, alice, scope)));

const pathsOf = (body: { details?: Array<{ path: string }> }) => body.details?.map((detail) => detail.path);

for (const dialect of dialects) {
  describe(`custom scopes through the management API (${dialect})`, () => {
    let server: TestServer;
    let api: ApiClient;

    before(async () => {
      server = await startServer({ dialect, declarations });
      api = apiClient(server, await machineToken(server));
    });
    after(() => server?.close());

    test('a scope created through the API is released in userinfo without a restart, within the engine-switch bound', async () => {
      // The engine drops a scope it does not know from a password grant.
      assert.equal((await claimsOf(server, alice, 'openid badge')).department, undefined, 'not released before');
      const created = await api.post('/scopes', badge);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual({ ...created.body, created_at: undefined, updated_at: undefined }, { ...badge, declared: false, created_at: undefined, updated_at: undefined });
      assert.equal(created.body.created_at, created.body.updated_at);
      await released(server, 'openid badge', 'the department released by badge', (answer) => 'claims' in answer && answer.claims.department === 'Research');
      const claims = await claimsOf(server, alice, 'openid badge');
      assert.equal(claims.floor, undefined, 'only the scope\'s own claims');
    });

    test('a scope changed through the API releases its new claims within the bound', async () => {
      const before = (await api.get('/scopes/badge')).body;
      const changed = await api.put('/scopes/badge', { description: 'See where you work', claims: ['department', 'floor'] });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual(changed.body.claims, ['department', 'floor']);
      assert.equal(changed.body.created_at, before.created_at);
      assert.ok(changed.body.updated_at >= before.updated_at);
      assert.deepEqual((await api.get('/scopes/badge')).body, changed.body);
      await released(server, 'openid badge', 'the floor released by badge', (answer) => 'claims' in answer && answer.claims.floor === '3');
    });

    test('GET /scopes: the custom scopes page by page in name order, the standard ones listed apart on every page', async () => {
      const { items, pages } = await allPages(api, '/scopes', 1);
      assert.equal(pages, 2);
      assert.deepEqual(items.map((scope) => [scope.name, scope.declared]), [['badge', false], ['employee', true]]);
      const { body } = await api.get('/scopes');
      assert.deepEqual(body.standard.map((scope: { name: string }) => scope.name),
        ['openid', 'offline_access', 'profile', 'email', 'phone', 'address', 'groups', 'gatehouse:manage']);
      assert.deepEqual(body.standard.find((scope: { name: string }) => scope.name === 'email').claims, ['email', 'email_verified']);
      const standard = await api.get('/scopes/openid');
      assert.equal(standard.status, 404);
      assert.match(standard.body.detail, /standard scope/);
    });

    test('a standard name, gatehouse:manage and bad fields are refused, naming the field', async () => {
      const cases: Array<[unknown, string[]]> = [
        [{ ...badge, name: 'profile' }, ['body.name']],
        [{ ...badge, name: 'gatehouse:manage' }, ['body.name']],
        [{ ...badge, name: 'two words' }, ['body.name']],
        [{ ...badge, name: 'fresh', claims: [] }, ['body.claims']],
        [{ ...badge, name: 'fresh', claims: ['not a claim'] }, ['body.claims.0']],
        [{ name: 'fresh', claims: ['floor'] }, ['body.description']],
      ];
      for (const [body, paths] of cases) {
        const answer = await api.post('/scopes', body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.code, 'invalid_request');
        assert.deepEqual(pathsOf(answer.body), paths, JSON.stringify(body));
      }
      for (const answer of [await api.put('/scopes/openid', { description: 'Mine', claims: ['floor'] }), await api.delete('/scopes/gatehouse:manage')]) {
        assert.equal(answer.status, 400);
        assert.deepEqual(pathsOf(answer.body), ['params.name']);
      }
      const taken = await api.post('/scopes', badge);
      assert.equal(taken.status, 409);
      assert.equal(taken.body.code, 'conflict');
      assert.equal((await api.get('/scopes/fresh')).status, 404);
    });

    test('a declared scope is refused; an unknown one is not found', async () => {
      for (const answer of [await api.put('/scopes/employee', { description: 'Mine', claims: ['floor'] }), await api.delete('/scopes/employee')]) {
        assert.equal(answer.status, 409);
        assert.equal(answer.body.code, 'declared_in_config_file');
      }
      assert.deepEqual((await api.get('/scopes/employee')).body.claims, ['employee_id']);
      for (const answer of [await api.get('/scopes/nothing'), await api.put('/scopes/nothing', { description: 'x', claims: ['floor'] }), await api.delete('/scopes/nothing')]) {
        assert.equal(answer.status, 404);
        assert.equal(answer.body.code, 'not_found');
      }
    });

    test('a scope an application names is kept; once no application does, deleting it withdraws it within the bound', async () => {
      const reader = { client_id: 'badge-reader', client_secret: secretOf('badge-reader'), grant_types: ['client_credentials'], scope: 'badge' };
      const registered = await api.post('/applications', reader);
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      const kept = await api.delete('/scopes/badge');
      assert.equal(kept.status, 409);
      assert.equal(kept.body.code, 'conflict');
      assert.match(kept.body.detail, /badge-reader/);
      assert.equal((await api.delete('/applications/badge-reader')).status, 204);
      assert.equal((await api.delete('/scopes/badge')).status, 204);
      assert.equal((await api.get('/scopes/badge')).status, 404);
      await released(server, 'openid badge', 'the department no longer released', (answer) => 'claims' in answer && answer.claims.department === undefined);
    });
  });
}

describe('a scope changed through one instance\'s API, followed by a sibling on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let first: TestServer;
  let second: TestServer;
  let api: ApiClient;

  before(async () => {
    first = await startServer({ dialect: 'postgres', declarations });
    second = await first.startSibling();
    api = apiClient(first, await machineToken(first));
  });
  after(() => first?.close());

  test('created and changed through the first instance, released by the second within the bound', async () => {
    assert.equal((await api.post('/scopes', badge)).status, 201);
    await released(second, 'openid badge', 'the sibling releasing badge', (answer) => 'claims' in answer && answer.claims.department === 'Research');
    assert.equal((await api.put('/scopes/badge', { description: 'See your floor', claims: ['floor'] })).status, 200);
    await released(second, 'openid badge', 'the sibling following the change', (answer) => 'claims' in answer && answer.claims.floor === '3' && answer.claims.department === undefined);
  });
});
