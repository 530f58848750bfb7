/*
 * The applications resource of the management API, driven over HTTP with a machine token: an
 * application created through the API completes a code flow at once; its generated secret is
 * shown at creation and rotation only (and never reaches the audit log); a rotated secret
 * replaces the old one at once; what the configuration file declares is shown and refused;
 * listings page by client_id and search by id and name; bad input names its field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects, skipWithoutPostgres } from '../../helpers/databases.js';
import { allPages, apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { insecure } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { wholeTableAsText } from '../audit/steps.js';
import { switchBoundMs, within } from '../keys/steps.js';

const declared = { client_id: 'declared-web', client_name: 'Declared', client_secret: secretOf('declared-web'), redirect_uris: [redirectUri] };
const declarations = {
  applications: [automation, declared],
  users: [{ username: alice.username, password: alice.password, email: 'alice@example.com' }],
};

for (const dialect of dialects) {
  describe(`applications through the management API (${dialect})`, () => {
    let server: TestServer;
    let api: ApiClient;
    /** Every secret the API handed out, to search the audit table for. */
    const secretsSeen: string[] = [];

    before(async () => {
      server = await startServer({ declarations, dialect });
      api = apiClient(server, await machineToken(server));
    });
    after(() => server?.close());

    test('an application created through the API completes a code flow at once, with the secret shown that once', async () => {
      const created = await api.post('/applications', {
        client_id: 'notes', client_name: 'Notes', redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile offline_access',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const secret = created.body.client_secret as string;
      assert.ok(secret.length >= 32, 'a generated secret of at least 32 characters');
      secretsSeen.push(secret);
      assert.deepEqual({ declared: created.body.declared, has_client_secret: created.body.has_client_secret, response_types: created.body.response_types }, { declared: false, has_client_secret: true, response_types: ['code'] });
      const rp = await oidc.discovery(new URL(server.issuer), 'notes', secret, undefined, insecure);
      const tokens = await signIn(server, rp, 'openid profile');
      assert.equal(tokens.claims()?.aud, 'notes');

      const read = await api.get('/applications/notes');
      assert.equal(read.status, 200);
      assert.equal(read.body.client_secret, undefined, 'a read never shows the secret');
      assert.ok(!JSON.stringify((await api.get('/applications')).body).includes(secret), 'nor does the list');
    });

    test('a rotated secret replaces the old one at once: the old is refused, the new accepted', async () => {
      await api.post('/applications', { client_id: 'batch', grant_types: ['client_credentials'] }).then((answer) => secretsSeen.push(answer.body.client_secret));
      const old = secretsSeen.at(-1)!;
      assert.equal((await postToken(server, { grant_type: 'client_credentials' }, basicAuth('batch', old))).status, 200);
      const rotated = await api.post('/applications/batch/rotate-secret');
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      const fresh = rotated.body.client_secret as string;
      secretsSeen.push(fresh);
      assert.notEqual(fresh, old);
      assert.equal((await postToken(server, { grant_type: 'client_credentials' }, basicAuth('batch', old))).body.error, 'invalid_client');
      assert.equal((await postToken(server, { grant_type: 'client_credentials' }, basicAuth('batch', fresh))).status, 200);
    });

    test('a rotation and a replacement at the same moment: the rotated secret is the one that works, every time', async () => {
      for (let round = 0; round < 8; round += 1) {
        const [rotated, replaced] = await Promise.all([
          api.post('/applications/batch/rotate-secret'),
          api.put('/applications/batch', { client_name: `Batch ${round}`, grant_types: ['client_credentials'] }),
        ]);
        assert.deepEqual([rotated.status, replaced.status], [200, 200]);
        secretsSeen.push(rotated.body.client_secret);
        const answer = await postToken(server, { grant_type: 'client_credentials' }, basicAuth('batch', rotated.body.client_secret));
        assert.equal(answer.status, 200, `round ${round}: the secret rotate-secret returned was undone`);
      }
    });

    test('a replacement changes the settings and keeps the secret; a public client has none to rotate', async () => {
      const replaced = await api.put('/applications/batch', { client_name: 'Nightly batch', grant_types: ['client_credentials'], scope: 'openid' });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.equal(replaced.body.client_name, 'Nightly batch');
      assert.equal(replaced.body.client_secret, undefined);
      assert.equal((await postToken(server, { grant_type: 'client_credentials' }, basicAuth('batch', secretsSeen.at(-1)!))).status, 200);
      await api.post('/applications', { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] });
      const refused = await api.post('/applications/spa/rotate-secret');
      assert.equal(refused.status, 400);
      assert.match(refused.body.detail, /without a client secret/);
    });

    test('bad input is refused naming each field, by the schema and by the engine, and nothing is stored', async () => {
      const bySchema = await api.post('/applications', { client_id: 'has space', redirect_uris: ['not a url'], grant_types: ['device_code'] });
      assert.equal(bySchema.status, 400);
      assert.equal(bySchema.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.deepEqual(bySchema.body.details.map((d: { path: string }) => d.path).sort(), ['body.client_id', 'body.grant_types.0', 'body.redirect_uris.0']);
      const byRules = await api.post('/applications', { client_id: 'mixed', grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' });
      assert.deepEqual(byRules.body.details.map((d: { path: string }) => d.path), ['body.token_endpoint_auth_method']);
      const byEngine = await api.post('/applications', { client_id: 'native-on-web', application_type: 'web', redirect_uris: ['com.example.app:/callback'] });
      assert.equal(byEngine.status, 400, JSON.stringify(byEngine.body));
      assert.equal(byEngine.body.details[0].path, 'body.redirect_uris');
      const unknownField = await api.post('/applications', { client_id: 'extra', colour: 'blue', shade: 'dark' });
      assert.deepEqual(unknownField.body.details, [
        { path: 'body.colour', message: 'is not a field this request takes' },
        { path: 'body.shade', message: 'is not a field this request takes' },
      ]);
      for (const id of ['has space', 'mixed', 'native-on-web', 'extra']) assert.equal((await api.get(`/applications/${encodeURIComponent(id)}`)).status, id === 'has space' ? 400 : 404);
      const overlong = await api.get(`/applications/${'x'.repeat(3000)}`);
      assert.deepEqual([overlong.status, overlong.body.code], [400, 'invalid_request'], 'the router\'s refusal is a problem document too');
      assert.ok(!overlong.body.detail.includes('xxxx'), 'without the URL in it');
      const taken = await api.post('/applications', { client_id: 'notes', redirect_uris: [redirectUri] });
      assert.deepEqual([taken.status, taken.body.code], [409, 'conflict']);
    });

    test('what the configuration file declares is shown as declared and refused, unchanged', async () => {
      const shown = await api.get('/applications/declared-web');
      assert.equal(shown.body.declared, true);
      for (const answer of [
        await api.put('/applications/declared-web', { redirect_uris: ['https://elsewhere.example/cb'] }),
        await api.delete('/applications/declared-web'),
        await api.post('/applications/declared-web/rotate-secret'),
      ]) {
        assert.deepEqual([answer.status, answer.body.code], [409, 'declared_in_config_file']);
        assert.match(answer.body.detail, /declared in the configuration file; change it there/);
      }
      assert.deepEqual((await api.get('/applications/declared-web')).body, shown.body);
      assert.equal((await postToken(server, { grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri }, basicAuth('declared-web', declared.client_secret))).body.error, 'invalid_grant');
    });

    test('a listing pages by client_id without duplicates or gaps, and searches client_id and client_name', async () => {
      for (let i = 0; i < 12; i += 1) {
        const answer = await api.post('/applications', { client_id: `report-${String(i).padStart(2, '0')}`, client_name: i % 3 === 0 ? `Quarterly Figures ${i}` : `Report ${i}`, grant_types: ['client_credentials'] });
        secretsSeen.push(answer.body.client_secret);
      }
      const every = await allPages(api, '/applications', 5);
      const ids = every.items.map((item) => item.client_id);
      assert.deepEqual(ids, [...ids].sort(), 'in client_id order');
      assert.equal(new Set(ids).size, ids.length, 'no duplicates');
      assert.ok(ids.includes('report-00') && ids.includes('report-11') && ids.includes('automation'), 'every application is on some page');
      assert.equal(every.pages, Math.ceil(ids.length / 5));
      const byName = await allPages(api, '/applications?q=quarterly', 2);
      assert.deepEqual(byName.items.map((item) => item.client_id), ['report-00', 'report-03', 'report-06', 'report-09']);
      assert.deepEqual((await allPages(api, '/applications?q=REPORT-1', 50)).items.map((item) => item.client_id), ['report-10', 'report-11']);
      await api.post('/applications', { client_id: 'ecole', client_name: 'ÉCOLE "Best" \\ app', grant_types: ['client_credentials'] }).then((answer) => secretsSeen.push(answer.body.client_secret));
      for (const q of ['école', '"best"', '\\ app']) {
        assert.deepEqual((await allPages(api, `/applications?q=${encodeURIComponent(q)}`, 1)).items.map((item) => item.client_id), ['ecole'], q);
      }
      const forged = await api.get('/applications?cursor=not-a-cursor');
      assert.deepEqual([forged.status, forged.body.details[0].path], [400, 'querystring.cursor']);
      assert.equal((await api.get('/applications?limit=0')).body.details[0].path, 'querystring.limit');
    });

    test('a deleted application\'s tokens stop working with it', async () => {
      const created = await api.post('/applications', { client_id: 'temporary-job', grant_types: ['client_credentials'], scope: 'gatehouse:manage' });
      secretsSeen.push(created.body.client_secret);
      const answer = await postToken(server, { grant_type: 'client_credentials', scope: 'gatehouse:manage' }, basicAuth('temporary-job', created.body.client_secret));
      const itsOwn = apiClient(server, answer.body.access_token as string);
      secretsSeen.push(answer.body.access_token as string);
      assert.equal((await itsOwn.get('/applications/notes')).status, 200);
      const { db } = server.services.deps;
      const tokenRow = await db.selectFrom('oidc_models').selectAll().where('model', '=', 'ClientCredentials').where('id', '=', answer.body.access_token as string).executeTakeFirstOrThrow();
      assert.equal((await api.delete('/applications/temporary-job')).status, 204);
      assert.equal((await itsOwn.get('/applications/notes')).status, 401);
      // Another instance that had not yet heard of the deletion, serving the application from memory, stores a token after it.
      await db.insertInto('oidc_models').values(tokenRow).execute();
      const again = await api.post('/applications', { client_id: 'temporary-job', grant_types: ['client_credentials'], scope: 'gatehouse:manage' });
      secretsSeen.push(again.body.client_secret);
      assert.equal((await itsOwn.get('/applications/notes')).status, 401, 'a new application under the same client_id inherits no token, not even one stored after the deletion');
      assert.equal((await api.delete('/applications/notes')).status, 204);
      assert.equal((await api.get('/applications/notes')).status, 404);
      assert.equal((await api.delete('/applications/notes')).status, 404);
    });

    test('no secret the API handed out is in the audit table', async () => {
      await server.audit.flush();
      const table = await wholeTableAsText(server.services.deps.db);
      assert.ok(table.includes('application.secret_rotated'), 'the table searched holds the rotations');
      for (const secret of secretsSeen) assert.ok(!table.includes(secret), 'a client secret reached the audit log');
    });
  });
}

describe('an application created through one instance is served by another at once (PostgreSQL)', { skip: skipWithoutPostgres }, () => {
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    first = await startServer({ declarations, dialect: 'postgres' });
    second = await first.startSibling();
  });
  after(() => first?.close());

  test('client credentials at the sibling with the secret the first returned', async () => {
    const created = await apiClient(first, await machineToken(first)).post('/applications', { client_id: 'shared', grant_types: ['client_credentials'] });
    assert.equal(created.status, 201);
    assert.equal((await postToken(second, { grant_type: 'client_credentials' }, basicAuth('shared', created.body.client_secret))).status, 200);
  });

  test('a secret rotated through one instance is refused by the other within the bound, which kept the application in memory', async () => {
    const api = apiClient(first, await machineToken(first));
    const created = await api.post('/applications', { client_id: 'kept', grant_types: ['client_credentials'] });
    const grantAtSecond = async (secret: string) => (await postToken(second, { grant_type: 'client_credentials' }, basicAuth('kept', secret))).status;
    assert.equal(await grantAtSecond(created.body.client_secret), 200, 'the second instance has read the application');

    const rotated = await api.post('/applications/kept/rotate-secret');
    assert.equal(rotated.status, 200);
    await within(switchBoundMs, 'the old secret refused by the second instance', async () => (await grantAtSecond(created.body.client_secret)) === 401);
    assert.equal(await grantAtSecond(rotated.body.client_secret), 200);

    assert.equal((await api.delete('/applications/kept')).status, 204);
    await within(switchBoundMs, 'the deleted application refused by the second instance', async () => (await grantAtSecond(rotated.body.client_secret)) === 401);
  });
});
