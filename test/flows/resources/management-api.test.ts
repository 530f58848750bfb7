/*
 * API resources through the management API, over HTTP on the real server: one created there is
 * accepted at the token endpoint without a restart, within the engine-switch bound, a change is
 * followed, a deleted one is invalid_target; the file's resources are refused to the API; bad
 * fields are named; a resource whose scope an application names is kept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { allPages, apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { switchBoundMs, within } from '../keys/steps.js';
import { clientCredentials, machine, orders, verifyAccessToken } from './steps.js';

const billing = { identifier: 'https://billing.example.test/api', name: 'Billing', scopes: [{ name: 'invoices:read', description: 'Read invoices' }] };
const path = (identifier: string) => `/resources/${encodeURIComponent(identifier)}`;
const pathsOf = (body: { details?: Array<{ path: string }> }) => body.details?.map((detail) => detail.path);

for (const dialect of dialects) {
  describe(`API resources through the management API (${dialect})`, () => {
    let server: TestServer;
    let api: ApiClient;

    before(async () => {
      server = await startServer({ dialect, declarations: { applications: [automation, machine], resources: [orders] } });
      api = apiClient(server, await machineToken(server));
    });
    after(() => server?.close());

    /** The status and body of a client credentials grant for this resource. */
    const grant = (resource: string, scope = 'invoices:read') => clientCredentials(server, 'machine', { scope, resource });

    test('a resource created through the API gets JWTs without a restart, within the engine-switch bound', async () => {
      assert.equal((await grant(billing.identifier)).body.error, 'invalid_target', 'unknown before');
      const created = await api.post('/resources', billing);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual({ ...created.body, created_at: undefined, updated_at: undefined }, {
        ...billing, access_token_format: 'jwt', signing_alg: 'RS256', access_token_ttl_seconds: 600, declared: false, created_at: undefined, updated_at: undefined,
      });
      await within(switchBoundMs, 'the new resource accepted', async () => (await grant(billing.identifier)).status === 200);
      const { alg, payload } = await verifyAccessToken(server, (await grant(billing.identifier)).body.access_token as string, billing.identifier);
      assert.equal(alg, 'RS256');
      assert.equal(payload.scope, 'invoices:read');
      assert.deepEqual((await api.get(path(billing.identifier))).body, created.body);
    });

    test('a replaced resource\'s algorithm, lifetime and scopes are followed within the bound', async () => {
      const replaced = await api.put(path(billing.identifier), {
        name: 'Billing v2', scopes: [{ name: 'invoices:write', description: 'Send invoices' }], signing_alg: 'ES256', access_token_ttl_seconds: 300,
      });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.equal(replaced.body.signing_alg, 'ES256');
      await within(switchBoundMs, 'the new algorithm used', async () => {
        const answer = await grant(billing.identifier, 'invoices:read invoices:write');
        return answer.status === 200 && answer.body.scope === 'invoices:write';
      });
      const { alg, payload } = await verifyAccessToken(server, (await grant(billing.identifier, 'invoices:write')).body.access_token as string, billing.identifier);
      assert.equal(alg, 'ES256');
      assert.equal(payload.exp! - payload.iat!, 300);
    });

    test('GET /resources: page by page in identifier order, declared ones marked', async () => {
      const { items, pages } = await allPages(api, '/resources', 1);
      assert.equal(pages, 2);
      assert.deepEqual(items.map((resource) => [resource.identifier, resource.declared]), [[billing.identifier, false], [orders.identifier, true]]);
    });

    test('the file\'s resource is refused to the API; an unknown one is not found', async () => {
      const body = { name: 'Mine', scopes: [] };
      for (const answer of [await api.put(path(orders.identifier), body), await api.delete(path(orders.identifier))]) {
        assert.equal(answer.status, 409);
        assert.equal(answer.body.code, 'declared_in_config_file');
      }
      assert.equal((await api.get(path(orders.identifier))).body.name, orders.name);
      for (const answer of [await api.get(path('urn:nothing')), await api.put(path('urn:nothing'), body), await api.delete(path('urn:nothing'))]) {
        assert.equal(answer.status, 404);
        assert.equal(answer.body.code, 'not_found');
      }
    });

    test('bad fields are refused, naming the field; an identifier taken is a conflict', async () => {
      const cases: Array<[unknown, string[]]> = [
        [{ ...billing, identifier: 'billing' }, ['body.identifier']],
        [{ ...billing, identifier: '/api/billing' }, ['body.identifier']],
        [{ ...billing, identifier: 'https://fresh.example.test/#part' }, ['body.identifier']],
        [{ ...billing, identifier: 'urn:fresh', scopes: [{ name: 'a', description: 'A' }, { name: 'a', description: 'Again' }] }, ['body.scopes.1.name']],
        [{ ...billing, identifier: 'urn:fresh', signing_alg: 'HS256' }, ['body.signing_alg']],
        [{ ...billing, identifier: 'urn:fresh', scopes: [{ name: 'openid', description: 'Mine' }] }, ['body.scopes.0.name']],
        [{ ...billing, identifier: 'urn:fresh', scopes: [{ name: 'offline_access', description: 'Mine' }] }, ['body.scopes.0.name']],
        [{ ...billing, identifier: 'urn:fresh', scopes: [{ name: 'two words', description: 'Mine' }] }, ['body.scopes.0.name']],
        [{ ...billing, identifier: 'urn:fresh', access_token_format: 'paseto' }, ['body.access_token_format']],
        [{ ...billing, identifier: 'urn:fresh', access_token_ttl_seconds: 10 }, ['body.access_token_ttl_seconds']],
        [{ ...billing, identifier: 'urn:fresh', access_token_ttl_seconds: 7 * 24 * 3600 }, ['body.access_token_ttl_seconds']],
        [{ identifier: 'urn:fresh', scopes: [] }, ['body.name']],
      ];
      for (const [body, paths] of cases) {
        const answer = await api.post('/resources', body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(answer.body.code, 'invalid_request');
        assert.deepEqual(pathsOf(answer.body), paths, JSON.stringify(body));
      }
      assert.equal((await api.get(path('urn:fresh'))).status, 404);
      const taken = await api.post('/resources', { ...billing, name: 'Again' });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.code, 'conflict');
      assert.equal((await api.put(path('not absolute'), { name: 'x', scopes: [] })).status, 400);
    });

    test('a resource whose scope an application names is kept; deleted, it is invalid_target within the bound', async () => {
      // The engine learns the scope with the resource, so the application may name it once every instance rebuilt.
      const payer = { client_id: 'payer', client_secret: secretOf('payer'), grant_types: ['client_credentials'], scope: 'invoices:write' };
      await within(switchBoundMs, 'the application with the resource\'s scope registered', async () => (await api.post('/applications', payer)).status === 201);
      const kept = await api.delete(path(billing.identifier));
      assert.equal(kept.status, 409);
      assert.equal(kept.body.code, 'conflict');
      assert.match(kept.body.detail, /payer/);
      const narrowed = await api.put(path(billing.identifier), { name: 'Billing', scopes: [] });
      assert.equal(narrowed.status, 409, 'taking the scope away is refused too');
      assert.equal((await api.delete('/applications/payer')).status, 204);
      assert.equal((await api.delete(path(billing.identifier))).status, 204);
      assert.equal((await api.get(path(billing.identifier))).status, 404);
      await within(switchBoundMs, 'the deleted resource refused', async () => (await grant(billing.identifier, 'invoices:write')).body.error === 'invalid_target');
    });

    test('every change is in the audit log with its actor', async () => {
      await server.audit.flush();
      const events = await api.get('/audit-events?type=resource.created&type=resource.updated&type=resource.deleted');
      assert.equal(events.status, 200, JSON.stringify(events.body));
      const seen = events.body.items.map((event: { type: string; actor: { kind: string } }) => [event.type, event.actor.kind]);
      for (const type of ['resource.created', 'resource.updated', 'resource.deleted']) assert.ok(seen.some(([t, kind]: string[]) => t === type && kind === 'api'), `${type}: ${JSON.stringify(seen)}`);
      assert.ok(seen.some(([t, kind]: string[]) => t === 'resource.created' && kind === 'config_file'), 'the file\'s resource');
    });
  });
}
