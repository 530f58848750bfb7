/*
 * The API resource commands on every dialect: each change moves the engine version in its own
 * transaction, applying the same declaration again writes nothing (so a restart makes no instance
 * rebuild), ownership is the file's, and the engine's state carries the resources.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { resourceInputSchema } from '../../src/resources/resource-schema.js';
import type { Actor } from '../../src/runtime/actor.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices, type FreshStorage } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';
import type { Services } from '../../src/services.js';

const box = createSecretBox('api-resources-test-secret-0123456789-abcdef');
const file: Actor = { kind: 'config_file', file: 'gatehouse.yaml' };
const caller: Actor = { kind: 'api', subject: 'client:automation' };
const orders = resourceInputSchema.parse({ identifier: 'https://orders.example.test', name: 'Orders', scopes: [{ name: 'orders:read', description: 'Read' }] });

for (const dialect of dialects) {
  describe(`API resources in the database (${dialect})`, () => {
    let opened: FreshStorage & { services: Services };

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock: pinnedClock() });
    });
    after(() => opened?.cleanup());

    test('created with the declaration\'s defaults, in the engine\'s state, moving its version once', async () => {
      const { services } = opened;
      const before = await services.engineSource.version();
      const created = await services.resources.createResource(file, orders);
      assert.deepEqual(created, { ...orders, access_token_format: 'jwt', signing_alg: 'RS256', access_token_ttl_seconds: 600 });
      assert.equal(await services.engineSource.version(), before + 1);
      assert.deepEqual((await services.engineSource.load()).resources, [created]);
      assert.equal((await services.resources.find(orders.identifier))!.owner, 'config_file');
    });

    test('the same declaration again writes nothing; a changed one moves the version', async () => {
      const { services } = opened;
      const before = await services.engineSource.version();
      await services.resources.createResource(file, orders, { existing: 'update' });
      assert.equal(await services.engineSource.version(), before, 'nothing to rebuild');
      await services.resources.createResource(file, { ...orders, access_token_ttl_seconds: 300 }, { existing: 'update' });
      assert.equal(await services.engineSource.version(), before + 1);
      assert.equal((await services.resources.list())[0]!.access_token_ttl_seconds, 300);
    });

    test('the API may not change the file\'s resource; once released, it may, and a failed command leaves no trace', async () => {
      const { services } = opened;
      await assert.rejects(services.resources.deleteResource(caller, orders.identifier), { code: 'declared_in_config_file' });
      await assert.rejects(services.resources.createResource(caller, orders), { code: 'conflict' });
      const before = await services.engineSource.version();
      await services.releaseUndeclared(file, { users: [], applications: [], scopes: [], connections: [], api_resources: [] });
      assert.equal((await services.resources.find(orders.identifier))!.owner, 'database');
      await services.resources.deleteResource(caller, orders.identifier);
      assert.deepEqual(await services.resources.list(), []);
      assert.equal(await services.engineSource.version(), before + 1);
      await assert.rejects(services.resources.deleteResource(caller, orders.identifier), { code: 'not_found' });
      assert.equal(await services.engineSource.version(), before + 1);
    });
  });
}
