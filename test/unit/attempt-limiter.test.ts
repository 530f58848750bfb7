import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPostgres, openSqlite } from '../../src/db/connect.js';
import type { Storage } from '../../src/db/database.js';
import { createAttemptCounterQueries } from '../../src/db/queries/attempt-counters.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { sweepExpired } from '../../src/db/sweep-expired.js';
import { blockSeconds, createAttemptLimiter, type LimitPolicy } from '../../src/protection/attempt-limiter.js';
import { ipKey } from '../../src/protection/ip-throttle.js';
import { createPostgresDatabase, dialects } from '../helpers/databases.js';

const policy: LimitPolicy = { threshold: 3, windowSeconds: 60, baseBlockSeconds: 10, maxBlockSeconds: 35 };

test('blocks double from the base up to the maximum', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 60].map((n) => blockSeconds(policy, n)), [10, 20, 35, 35, 35, 35]);
});

test('IPv4 addresses count alone, IPv4-mapped ones as IPv4, IPv6 ones by their /64', () => {
  assert.equal(ipKey('203.0.113.7'), 'ip:203.0.113.7');
  assert.equal(ipKey('::ffff:203.0.113.7'), 'ip:203.0.113.7');
  assert.equal(ipKey('2001:db8:1:2:aaaa::1'), ipKey('2001:db8:1:2:bbbb::2'));
  assert.notEqual(ipKey('2001:db8:1:2::1'), ipKey('2001:db8:1:3::1'));
});

for (const dialect of dialects) {
  describe(`attempt limiter on ${dialect}`, () => {
    let storage: Storage;
    let dropDatabase: (() => Promise<void>) | undefined;
    let now = Date.UTC(2026, 10, 26, 12);
    const clock = { now: () => now };
    const seconds = (n: number) => {
      now += n * 1000;
    };

    before(async () => {
      if (dialect === 'postgres') {
        const database = await createPostgresDatabase();
        dropDatabase = database.drop;
        storage = openPostgres(database.url);
      } else {
        storage = openSqlite(':memory:');
      }
      await migrateToLatest(storage.db);
    });
    after(async () => {
      await storage?.close();
      await dropDatabase?.();
    });

    const limiter = () => createAttemptLimiter({ db: storage.db, clock, policy });

    test('the threshold-th failure within the window blocks, for the base duration', async () => {
      const l = limiter();
      assert.deepEqual(await l.recordFailure('a'), { blocked: false });
      assert.deepEqual(await l.recordFailure('a'), { blocked: false });
      assert.deepEqual(await l.recordFailure('a'), { blocked: true, retryAfterSeconds: 10 });
      seconds(4);
      assert.deepEqual(await l.check('a'), { blocked: true, retryAfterSeconds: 6 });
      seconds(6);
      assert.deepEqual(await l.check('a'), { blocked: false });
    });

    test('failures outside the window start counting again', async () => {
      const l = limiter();
      await l.recordFailure('b');
      await l.recordFailure('b');
      seconds(60);
      assert.deepEqual(await l.recordFailure('b'), { blocked: false });
      assert.deepEqual(await l.recordFailure('b'), { blocked: false });
      assert.equal((await l.recordFailure('b')).blocked, true);
    });

    test('each further block doubles up to the maximum; the history is forgotten after a quiet spell', async () => {
      const l = limiter();
      const blockNow = async () => {
        let verdict = await l.recordFailure('c');
        while (!verdict.blocked) verdict = await l.recordFailure('c');
        return verdict.retryAfterSeconds;
      };
      assert.equal(await blockNow(), 10);
      seconds(10);
      assert.equal(await blockNow(), 20);
      seconds(20);
      assert.equal(await blockNow(), 35);
      seconds(35);
      assert.equal(await blockNow(), 35);
      // Forgotten once the longest block has passed again after the last block ended.
      seconds(35 + 35);
      assert.equal(await blockNow(), 10);
    });

    test('failures while blocked are not counted and do not extend the block', async () => {
      const l = limiter();
      for (let i = 0; i < 3; i += 1) await l.recordFailure('g');
      seconds(5);
      assert.deepEqual(await l.recordFailure('g'), { blocked: true, retryAfterSeconds: 5 });
      seconds(5);
      assert.deepEqual(await l.check('g'), { blocked: false });
      assert.deepEqual(await l.recordFailure('g'), { blocked: false });
      assert.deepEqual(await l.recordFailure('g'), { blocked: false });
    });

    test('a success (clear) forgets failures and lock history', async () => {
      const l = limiter();
      await l.recordFailure('d');
      await l.recordFailure('d');
      assert.equal(await l.clear('d'), true);
      assert.deepEqual(await l.recordFailure('d'), { blocked: false });
      assert.equal(await l.clear('nothing-here'), false);
    });

    test('concurrent failures are each counted once and lock once', async () => {
      const l = createAttemptLimiter({ db: storage.db, clock, policy: { ...policy, threshold: 1000 } });
      await Promise.all(Array.from({ length: 40 }, () => l.recordFailure('e')));
      const row = await createAttemptCounterQueries(storage.db).find('e');
      assert.equal(row?.failures, 40);

      const locking = createAttemptLimiter({ db: storage.db, clock, policy: { ...policy, threshold: 5 } });
      const verdicts = await Promise.all(Array.from({ length: 12 }, () => locking.recordFailure('f')));
      assert.ok(verdicts.some((v) => v.blocked));
      const locked = await createAttemptCounterQueries(storage.db).find('f');
      assert.equal(locked?.lock_count, 1, 'one lock, however many requests crossed the threshold together');
    });

    test('the sweep removes expired counters and keeps live ones', async () => {
      const l = limiter();
      await l.recordFailure('old');
      seconds(61);
      await l.recordFailure('fresh');
      await sweepExpired(storage.db, clock);
      const counters = createAttemptCounterQueries(storage.db);
      assert.equal(await counters.find('old'), undefined);
      assert.ok(await counters.find('fresh'));
    });
  });
}
