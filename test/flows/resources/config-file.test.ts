/*
 * API resources declared in the configuration file, on the real server: the file owns them (the
 * API may not change them), an application in the same file may name their scopes, a restart
 * follows a changed declaration, and one the file stops declaring becomes the database's; a bad
 * entry stops the start, naming it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { secretOf } from '../../helpers/applications.js';
import { gatehouse } from '../../helpers/cli.js';
import { configRefusal } from '../../helpers/config-refusal.js';
import { dialects } from '../../helpers/databases.js';
import { apiClient, automation, machineToken } from '../../helpers/management-api.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { clientCredentials, ledger, orders, verifyAccessToken } from './steps.js';

/** Limited by its scope to an API's scope, declared in the same file as the API. */
const reporter = { client_id: 'reporter', client_secret: secretOf('reporter'), grant_types: ['client_credentials'], scope: 'ledger:read' };

const yaml = (ttl: number) => `
applications:
  - client_id: ${automation.client_id}
    client_secret: ${automation.client_secret}
    grant_types: [client_credentials]
    scope: gatehouse:manage
  - client_id: ${reporter.client_id}
    client_secret: ${reporter.client_secret}
    grant_types: [client_credentials]
    scope: ${reporter.scope}
resources:
  - identifier: ${ledger.identifier}
    name: Ledger
    scopes:
      - { name: ledger:read, description: Read the ledger }
    signing_alg: ES256
    access_token_ttl_seconds: ${ttl}
  - identifier: ${orders.identifier}
    name: ${orders.name}
`;

const refusedStart = (resources: unknown[]) => configRefusal(async () => (await startServer({ declarations: { resources } })).close());

for (const dialect of dialects) {
  describe(`API resources in the configuration file (${dialect})`, () => {
    let server: TestServer;

    before(async () => {
      server = await startServer({ dialect, configText: yaml(180) });
    });
    after(() => server?.close());

    test('declared: owned by the file, refused to the API, and an application of the file may name its scopes', async () => {
      const api = apiClient(server, await machineToken(server));
      const read = await api.get(`/resources/${encodeURIComponent(ledger.identifier)}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.declared, true);
      assert.equal(read.body.access_token_format, 'jwt', 'the default format');
      const refused = await api.put(`/resources/${encodeURIComponent(ledger.identifier)}`, { name: 'Mine', scopes: [] });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'declared_in_config_file');
      const answer = await clientCredentials(server, 'reporter', { scope: 'ledger:read', resource: ledger.identifier });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { alg, payload } = await verifyAccessToken(server, answer.body.access_token as string, ledger.identifier);
      assert.equal(alg, 'ES256');
      assert.equal(payload.exp! - payload.iat!, 180);
    });

    test('gatehouse config export carries the API resources; a start on the export issues tokens for them', async () => {
      const result = await gatehouse(server, ['config', 'export']);
      assert.deepEqual([result.code, result.stderr], [0, '']);
      const exported = parseYaml(result.stdout) as { resources: Array<Record<string, unknown>> };
      assert.deepEqual(exported.resources.map((resource) => [resource.identifier, resource.signing_alg, resource.access_token_ttl_seconds]),
        [[orders.identifier, 'RS256', 600], [ledger.identifier, 'ES256', 180]]);
      const copy = await startServer({ dialect, configText: result.stdout });
      try {
        const generated = new Map(copy.startup.applied.generatedSecrets.map(({ clientId, secret }) => [clientId, secret]));
        const answer = await postToken(copy, { grant_type: 'client_credentials', scope: 'ledger:read', resource: ledger.identifier }, basicAuth('reporter', generated.get('reporter')!));
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal((await verifyAccessToken(copy, answer.body.access_token as string, ledger.identifier)).alg, 'ES256');
      } finally {
        await copy.close();
      }
    });

    test('a restart follows the changed declaration; one the file stops declaring becomes the database\'s', async () => {
      await server.restart({ configText: yaml(240) });
      const answer = await clientCredentials(server, 'reporter', { scope: 'ledger:read', resource: ledger.identifier });
      assert.equal(answer.body.expires_in, 240);
      await server.restart({ configText: yaml(240).replace(/  - identifier: https:\/\/orders[^]*$/, '') });
      const api = apiClient(server, await machineToken(server));
      const released = await api.get(`/resources/${encodeURIComponent(orders.identifier)}`);
      assert.equal(released.body.declared, false);
      assert.equal((await api.delete(`/resources/${encodeURIComponent(orders.identifier)}`)).status, 204);
    });
  });
}

describe('API resources the configuration file gets wrong', () => {
  test('a bad entry stops the start, naming the entry and the field', async () => {
    assert.match(await refusedStart([{ identifier: 'orders', name: 'Orders' }]), /resources\[0\] \("orders"\)\.identifier: must be an absolute URI/);
    assert.match(await refusedStart([{ identifier: 'urn:a', name: 'A', scopes: [{ name: 'profile', description: 'P' }] }]), /resources\[0\] \("urn:a"\)\.scopes\[0\]\.name: is a standard scope/);
    assert.match(await refusedStart([{ identifier: 'urn:a', name: 'A', signing_alg: 'PS256' }]), /resources\[0\] \("urn:a"\)\.signing_alg/);
    assert.match(await refusedStart([{ identifier: 'urn:a', name: 'A' }, { identifier: 'urn:a', name: 'B' }]), /resources\[1\] \("urn:a"\): declared twice/);
  });
});
