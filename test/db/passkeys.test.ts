/*
 * Passkeys in the database, on every dialect: a use moves the signature counter only from the
 * value it was verified against, so that of two uses racing with one counter exactly one passes
 * (on two instances too); authenticators without a counter (0 -> 0) pass each time; renaming
 * and removing reach only the owner's own passkeys.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openPostgres } from '../../src/db/connect.js';
import type { Db } from '../../src/db/database.js';
import { createPasskeyQueries, type PasskeyRow } from '../../src/db/queries/passkeys.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices } from '../../src/services.js';
import { dialects } from '../helpers/databases.js';
import { openSharedStorage, type SharedStorage } from '../helpers/sqlite-race.js';
import { pinnedClock } from '../helpers/test-clock.js';

const clock = pinnedClock(Date.UTC(2026, 11, 8, 12));
const box = createSecretBox('passkeys-test-secret-0123456789-abcdefghijklm');
const actor: Actor = { kind: 'system', reason: 'test' };

for (const dialect of dialects) {
  describe(`passkeys (${dialect})`, () => {
    let shared: SharedStorage;
    let db: Db;
    let users = 0;
    before(async () => {
      shared = await openSharedStorage(dialect);
      db = shared.storage.db;
    });
    after(() => shared?.close());

    const newUser = async () => {
      users += 1;
      const services = createServices({ db, box, clock, ids: randomIds, security: defaultSecuritySettings });
      return (await services.users.createUser(actor, { username: `holder-${users}` })).user.id;
    };
    const newPasskey = async (userId: string, counter = 0, createdAt = clock.now()): Promise<PasskeyRow> => {
      const row: PasskeyRow = {
        id: randomBytes(16).toString('base64url'), user_id: userId, name: 'Laptop', public_key: 'pQECAyYgASFYIA', counter,
        transports: '["internal"]', device_type: 'singleDevice', backed_up: 0, created_at: createdAt, last_used_at: null,
      };
      await createPasskeyQueries(db).insert(row);
      return row;
    };

    test('a use moves the counter forward from the value it was verified against, once', async () => {
      const passkeys = createPasskeyQueries(db);
      const { id } = await newPasskey(await newUser(), 5);
      assert.equal(await passkeys.recordUse(id, { previousCounter: 5, counter: 6, now: clock.now() }), true);
      assert.equal(await passkeys.recordUse(id, { previousCounter: 5, counter: 7, now: clock.now() }), false, 'verified against a counter that moved meanwhile');
      const row = await passkeys.find(id);
      assert.deepEqual([row?.counter, row?.last_used_at], [6, clock.now()]);
    });

    test('an authenticator that keeps no counter (0 -> 0) passes every time', async () => {
      const passkeys = createPasskeyQueries(db);
      const { id } = await newPasskey(await newUser(), 0);
      for (let i = 0; i < 3; i += 1) assert.equal(await passkeys.recordUse(id, { previousCounter: 0, counter: 0, now: clock.now() }), true);
    });

    test('ten uses race one counter value: exactly one is recorded', async () => {
      const { id } = await newPasskey(await newUser(), 10);
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => createPasskeyQueries(db).recordUse(id, { previousCounter: 10, counter: 11 + i, now: clock.now() })));
      assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
    });

    if (dialect === 'postgres') {
      test('two instances (two pools) race one counter value: exactly one is recorded', async () => {
        const second = openPostgres(shared.postgresDatabaseUrl!);
        try {
          const { id } = await newPasskey(await newUser(), 3);
          const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => createPasskeyQueries(i % 2 === 0 ? db : second.db).recordUse(id, { previousCounter: 3, counter: 4, now: clock.now() })));
          assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
        } finally {
          await second.close();
        }
      });
    }

    test("listed oldest first and counted per user; renamed and removed only by their owner", async () => {
      const passkeys = createPasskeyQueries(db);
      const owner = await newUser();
      const other = await newUser();
      const second = await newPasskey(owner, 0, clock.now() + 1);
      const first = await newPasskey(owner, 0, clock.now());
      await newPasskey(other);
      assert.deepEqual((await passkeys.listOf(owner)).map((row) => row.id), [first.id, second.id]);
      assert.equal(await passkeys.countOf(owner), 2);

      assert.equal(await passkeys.rename(other, first.id, 'Mine now'), false, "another user's passkey");
      assert.equal(await passkeys.rename(owner, first.id, 'Work laptop'), true);
      assert.equal((await passkeys.find(first.id))?.name, 'Work laptop');

      assert.equal(await passkeys.remove(other, first.id), undefined, "another user's passkey");
      assert.equal((await passkeys.remove(owner, first.id))?.name, 'Work laptop', 'gives back what it removed');
      assert.equal(await passkeys.remove(owner, first.id), undefined, 'removed once');
      assert.equal(await passkeys.countOf(owner), 1);
      assert.equal(await passkeys.countOf(await newUser()), 0);
    });
  });
}
