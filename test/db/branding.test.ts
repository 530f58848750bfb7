/*
 * The branding command on every dialect: the migration's row reads as the defaults; a change
 * and its audit event commit together or not at all; two changes at once both apply, each
 * recorded against what the other left; a change to what is stored writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Actor } from '../../src/runtime/actor.js';
import type { Services } from '../../src/services.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices, type FreshStorage } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('branding-test-secret-0123456789-abcdefghij');
const caller: Actor = { kind: 'api', subject: 'client:automation' };

for (const dialect of dialects) {
  describe(`the branding in the database (${dialect})`, () => {
    let opened: FreshStorage & { services: Services };

    const brandingEvents = async () => (await opened.storage.db.selectFrom('audit_events').select(['type', 'details']).where('type', '=', 'branding.changed').orderBy('occurred_at').orderBy('id').execute())
      .map((row) => JSON.parse(row.details) as { before: Record<string, unknown>; after: Record<string, unknown> });

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock: pinnedClock() });
    });
    after(() => opened?.cleanup());

    test('before any change: the defaults, never changed', async () => {
      assert.deepEqual(await opened.services.branding.get(), {
        productName: 'Gatehouse', displayName: 'Gatehouse', primaryColor: '#1d4ed8', backgroundColor: null, logo: null,
        iconPath: '/favicon.ico?v=1d4ed8', clientId: null, updatedAt: null,
      });
    });

    test('a change inside a larger change that fails leaves neither the change nor its event', async () => {
      const { services } = opened;
      await assert.rejects(services.transaction(async (trx) => {
        await trx.branding.update(caller, { product_name: 'Half done' });
        assert.equal((await trx.branding.get()).productName, 'Half done', 'seen inside the transaction');
        throw new Error('a later step fails');
      }), /a later step fails/);
      assert.equal((await services.branding.get()).productName, 'Gatehouse');
      assert.deepEqual(await brandingEvents(), []);
    });

    test('two changes at once of different fields both apply, each recorded against what the other left', async () => {
      const { services } = opened;
      await Promise.all([
        services.branding.update(caller, { product_name: 'Acme' }),
        services.branding.update(caller, { primary_color: '#0F766E' }),
      ]);
      const stored = await services.branding.get();
      assert.deepEqual([stored.productName, stored.primaryColor], ['Acme', '#0f766e']);
      assert.ok(stored.updatedAt !== null);
      const events = await brandingEvents();
      assert.equal(events.length, 2);
      assert.deepEqual(events.map((event) => Object.keys(event.after)).flat().sort(), ['primary_color', 'product_name']);
    });

    test('a change to what is stored already writes nothing', async () => {
      const { services } = opened;
      const before = await services.branding.get();
      assert.deepEqual(await services.branding.update(caller, { product_name: 'Acme', primary_color: '#0f766e', logo_url: null }), before);
      assert.equal((await brandingEvents()).length, 2);
      assert.equal((await services.branding.get()).updatedAt, before.updatedAt);
    });
  });
}
