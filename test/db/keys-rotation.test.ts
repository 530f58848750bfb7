/*
 * Key rotation as stored, on every dialect: a rotation stores a waiting key per purpose, its
 * steps come due by the clock alone, and instances applying them at once (two pools on one
 * PostgreSQL database; on SQLite, callers sharing the one connection) apply each step once and
 * leave exactly one active key per purpose.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaults } from '../../src/config/defaults.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openPostgres } from '../../src/db/connect.js';
import type { Db, Storage } from '../../src/db/database.js';
import { isUniqueViolation } from '../../src/db/unique-violation.js';
import type { KeyChange, KeySummary } from '../../src/keys/key-service.js';
import { retentionSeconds } from '../../src/keys/key-timeline.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices, type Services } from '../../src/services.js';
import { dialects } from '../helpers/databases.js';
import { openSharedStorage, type SharedStorage } from '../helpers/sqlite-race.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('keys-rotation-test-secret-0123456789-abcdef');
const cli: Actor = { kind: 'cli', command: 'keys rotate' };
const schedule: Actor = { kind: 'system', reason: 'key rotation schedule' };
const purposes = ['signing:RS256', 'signing:ES256', 'signing:EdDSA', 'cookie'];
const publishMs = defaults.keys.publishBeforeUseSeconds * 1000;

const count = (changes: KeyChange[], change: KeyChange['change']) => changes.filter((c) => c.change === change).length;

async function statuses(db: Db): Promise<Array<{ purpose: string; status: string; kid: string }>> {
  return db.selectFrom('keys').select(['purpose', 'status', 'kid']).orderBy('purpose').orderBy('status').execute();
}

async function activePerPurpose(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const key of await statuses(db)) if (key.status === 'active') counts[key.purpose] = (counts[key.purpose] ?? 0) + 1;
  return counts;
}

const oneEach = Object.fromEntries(purposes.map((purpose) => [purpose, 1]));

for (const dialect of dialects) {
  describe(`key rotation as stored (${dialect})`, () => {
    const clock = pinnedClock(Date.UTC(2026, 11, 7, 9));
    let shared: SharedStorage;
    let second: Storage | undefined;
    /** Two instances: on PostgreSQL each with a pool of its own; on SQLite over the one connection a process has. */
    let one: Services;
    let two: Services;

    before(async () => {
      shared = await openSharedStorage(dialect);
      second = shared.postgresDatabaseUrl ? openPostgres(shared.postgresDatabaseUrl) : undefined;
      const over = (storage: Storage) => createServices({ db: storage.db, box, clock, ids: randomIds, security: defaultSecuritySettings });
      one = over(shared.storage);
      two = over(second ?? shared.storage);
      await one.keys.ensure();
    });
    after(async () => {
      await second?.close();
      await shared?.close();
    });

    test('rotate stores a waiting key per purpose: published and accepted after the active one, not signing; one engine version', async () => {
      const before = await one.keys.engineKeys();
      const version = await one.engineSource.version();
      const rotation = await one.keys.rotate(cli);
      assert.deepEqual(rotation.stored.map((key) => key.purpose), purposes);
      for (const key of rotation.stored) {
        assert.equal(key.status, 'next');
        assert.equal(key.activatesAt, clock.now() + publishMs, `${key.purpose} activates after the publish period`);
      }
      assert.deepEqual(rotation.applied, []);
      assert.deepEqual(rotation.removed, []);
      assert.equal(await one.engineSource.version(), version + 1);

      const after = await one.keys.engineKeys();
      assert.deepEqual(after.signingKeys.slice(0, 3).map((key) => key.kid), before.signingKeys.map((key) => key.kid), 'the active keys still come first: they sign');
      assert.deepEqual(after.signingKeys.slice(3).map((key) => key.kid), rotation.stored.slice(0, 3).map((key) => key.kid), 'the new ones are published');
      assert.equal(after.cookieKeys[0], before.cookieKeys[0], 'the cookie key that signs is the same');
      assert.equal(after.cookieKeys.length, 2, 'the new cookie key is accepted already');
    });

    test('a second rotation while one is under way is refused, saying when it completes, and changes nothing', async () => {
      const stored = await statuses(shared.storage.db);
      const version = await one.engineSource.version();
      const activation = new Date(clock.now() + publishMs).toISOString();
      await assert.rejects(two.keys.rotate(cli), (error: Error) => {
        assert.match(error.message, /a key rotation is under way/);
        assert.ok(error.message.includes(activation), error.message);
        assert.match(error.message, /--now/);
        return true;
      });
      assert.deepEqual(await statuses(shared.storage.db), stored);
      assert.equal(await one.engineSource.version(), version);
    });

    test('the storage holds at most one waiting key per purpose', async () => {
      const waiting = (await shared.storage.db.selectFrom('keys').selectAll().where('status', '=', 'next').execute())[0]!;
      await assert.rejects(
        shared.storage.db.insertInto('keys').values({ ...waiting, kid: 'another-waiting-key' }).execute(),
        (error) => isUniqueViolation(error),
      );
    });

    test('nothing activates a second before the publish period ends', async () => {
      clock.advance(defaults.keys.publishBeforeUseSeconds - 1);
      const version = await one.engineSource.version();
      assert.deepEqual(await one.keys.advanceRotations(schedule), []);
      assert.equal(await one.engineSource.version(), version);
    });

    test('two instances applying the due steps at once: each key activated once, the active ones retired once, one active per purpose', async () => {
      clock.advance(1);
      const version = await one.engineSource.version();
      const waiting = (await one.keys.list()).filter((key) => key.status === 'next').map((key) => key.kid);
      const results = await Promise.all([one, two, one, two, one, two].map((instance) => instance.keys.advanceRotations(schedule)));
      const changes = results.flat();
      assert.equal(count(changes, 'activated'), 4, JSON.stringify(changes));
      assert.equal(count(changes, 'retired'), 4);
      assert.deepEqual(changes.filter((c) => c.change === 'activated').map((c) => c.kid).sort(), [...waiting].sort());
      assert.deepEqual(await activePerPurpose(shared.storage.db), oneEach);
      assert.equal(await one.engineSource.version(), version + 1, 'one engine version for all the due steps, none for an instance that found them done');
      assert.deepEqual(await one.keys.advanceRotations(schedule), [], 'nothing is due any more');

      const engine = await two.keys.engineKeys();
      assert.deepEqual(engine.signingKeys.slice(0, 3).map((key) => key.kid), waiting.slice(0, 3), 'the new keys sign');
    });

    test('list: public parts only, with the status times and when each retired key is removed', async () => {
      const listed = await one.keys.list();
      assert.deepEqual(listed.map((key) => `${key.purpose} ${key.status}`), purposes.flatMap((purpose) => [`${purpose} active`, `${purpose} retired`]));
      for (const key of listed) {
        assert.equal(key.statusChangedAt, clock.now());
        assert.equal(key.activatesAt, undefined);
        if (key.status === 'retired') assert.equal(key.removedAt, clock.now() + retentionSeconds(key.purpose) * 1000);
        else assert.equal(key.removedAt, undefined);
        assert.equal(key.algorithm, key.purpose === 'cookie' ? undefined : key.purpose.slice('signing:'.length));
        if (key.purpose === 'cookie') assert.equal(key.publicJwk, undefined);
        else assert.equal(key.publicJwk?.kid, key.kid);
      }
      const shown = JSON.stringify(listed);
      const secrets = await one.keys.engineKeys();
      for (const jwk of secrets.signingKeys) assert.ok(!shown.includes(jwk.d!), `no private part of ${jwk.kid}`);
      for (const cookieKey of secrets.cookieKeys) assert.ok(!shown.includes(cookieKey), 'no cookie key');
      assert.ok(!/"d"|private|sealed/.test(shown));
    });

    test('a retired key is removed at the end of its retention, not a second before, by one instance', async () => {
      const retired = (await one.keys.list()).filter((key) => key.status === 'retired');
      const removal = Math.min(...retired.map((key) => key.removedAt!));
      assert.equal(removal - clock.now(), (defaults.ttl.session + defaults.keys.retiredMarginSeconds) * 1000, 'the session lifetime and the margin');
      clock.advance((removal - clock.now()) / 1000 - 1);
      assert.deepEqual(await one.keys.advanceRotations(schedule), []);
      clock.advance(1);
      const version = await one.engineSource.version();
      const changes = (await Promise.all([one.keys.advanceRotations(schedule), two.keys.advanceRotations(schedule)])).flat();
      assert.deepEqual(changes.map((c) => c.kid).sort(), retired.map((key) => key.kid).sort());
      assert.ok(changes.every((c) => c.change === 'removed'));
      assert.equal(await one.engineSource.version(), version + 1, 'the removals are one change');
      const left = await statuses(shared.storage.db);
      assert.deepEqual(left.map((key) => `${key.purpose} ${key.status}`), [...purposes].sort().map((purpose) => `${purpose} active`));
      assert.equal((await one.keys.engineKeys()).signingKeys.length, 3);
    });

    test('two rotations started at once: one is stored, the other refused, one waiting key per purpose', async () => {
      const outcomes = await Promise.allSettled([one.keys.rotate(cli), two.keys.rotate(cli)]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, JSON.stringify(outcomes.map((o) => o.status)));
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      assert.match((refused.reason as Error).message, /rotation (is under way|was started at the same moment)/);
      const waiting = (await statuses(shared.storage.db)).filter((key) => key.status === 'next');
      assert.deepEqual(waiting.map((key) => key.purpose).sort(), [...purposes].sort());
    });

    test('rotate immediately: new keys active at once, every other key (active, waiting, retired) removed at once', async () => {
      // A retired key as well: complete the waiting rotation first.
      clock.advance(defaults.keys.publishBeforeUseSeconds);
      await one.keys.advanceRotations(schedule);
      const before = await one.keys.list();
      assert.deepEqual([...new Set(before.map((key) => key.status))].sort(), ['active', 'retired']);
      await one.keys.rotate(cli); // and a waiting one
      const everything = (await one.keys.list()).map((key) => key.kid);
      const version = await one.engineSource.version();

      const rotation = await two.keys.rotate(cli, { immediately: true });
      assert.deepEqual(rotation.stored.map((key) => `${key.purpose} ${key.status}`), purposes.map((purpose) => `${purpose} active`));
      assert.deepEqual(rotation.removed.map((key) => key.kid).sort(), [...everything].sort());
      const left = await one.keys.list();
      assert.deepEqual(left.map((key) => key.kid), rotation.stored.map((key) => key.kid));
      assert.equal(await one.engineSource.version(), version + 1);
      const engine = await one.keys.engineKeys();
      assert.deepEqual(engine.signingKeys.map((key) => key.kid), rotation.stored.slice(0, 3).map((key) => key.kid));
      assert.equal(engine.cookieKeys.length, 1);
      assert.deepEqual(await activePerPurpose(shared.storage.db), oneEach);
    });

    test('after a rotation at once, a scheduled one may start again', async () => {
      const rotation = await one.keys.rotate(cli);
      assert.ok(rotation.stored.every((key: KeySummary) => key.status === 'next'));
    });
  });
}
