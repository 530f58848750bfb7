import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openPostgres, openSqlite } from '../../src/db/connect.js';
import type { Storage } from '../../src/db/database.js';
import { createAddressIdentityQueries } from '../../src/db/queries/address-identities.js';
import { createAttemptCounterQueries } from '../../src/db/queries/attempt-counters.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { sweepExpired } from '../../src/db/sweep-expired.js';
import { blockSeconds, createAttemptLimiter, type Admission, type AttemptLimiter, type LimitPolicy } from '../../src/protection/attempt-limiter.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createIpThrottle, identityKey, ipKey, type AddressAdmission } from '../../src/protection/ip-throttle.js';
import { createPostgresDatabase, dialects } from '../helpers/databases.js';
import { pinnedClock } from '../helpers/test-clock.js';

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
    const clock = pinnedClock(Date.UTC(2026, 10, 26, 12));

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
    const counter = (key: string) => createAttemptCounterQueries(storage.db).find(key);
    const identityRow = (key: string) => createAddressIdentityQueries(storage.db).find(key);

    /** One attempt whose credential turns out wrong; the admission says whether it was let through. */
    async function failOnce(l: AttemptLimiter, key: string): Promise<Admission> {
      const admission = await l.admit(key);
      if (admission.admitted) await admission.attempt.fail();
      return admission;
    }

    /** Fails attempts until the key is refused; the retry-after of the block that followed. */
    async function blockNow(l: AttemptLimiter, key: string): Promise<number> {
      for (;;) {
        const admission = await failOnce(l, key);
        if (!admission.admitted) return admission.retryAfterSeconds;
      }
    }

    test('the threshold-th failure within the window blocks, for the base duration', async () => {
      const l = limiter();
      for (let i = 0; i < 3; i += 1) assert.equal((await failOnce(l, 'a')).admitted, true, `attempt ${i + 1}`);
      assert.deepEqual(await l.admit('a'), { admitted: false, retryAfterSeconds: 10 });
      clock.advance(4);
      assert.deepEqual(await l.admit('a'), { admitted: false, retryAfterSeconds: 6 });
      clock.advance(6);
      assert.equal((await l.admit('a')).admitted, true);
    });

    test('failures outside the window start counting again', async () => {
      const l = limiter();
      await failOnce(l, 'b');
      await failOnce(l, 'b');
      clock.advance(60);
      await failOnce(l, 'b');
      await failOnce(l, 'b');
      assert.equal((await l.admit('b')).admitted, true, 'two failures in the new window');
    });

    test('each further block doubles up to the maximum; the history is forgotten after a quiet spell', async () => {
      const l = limiter();
      assert.equal(await blockNow(l, 'c'), 10);
      clock.advance(10);
      assert.equal(await blockNow(l, 'c'), 20);
      clock.advance(20);
      assert.equal(await blockNow(l, 'c'), 35);
      clock.advance(35);
      assert.equal(await blockNow(l, 'c'), 35);
      // Forgotten once the longest block has passed again after the last block ended.
      clock.advance(35 + 35);
      assert.equal(await blockNow(l, 'c'), 10);
    });

    test('attempts while blocked are not counted and do not extend the block', async () => {
      const l = limiter();
      for (let i = 0; i < 3; i += 1) await failOnce(l, 'g');
      clock.advance(5);
      assert.deepEqual(await l.admit('g'), { admitted: false, retryAfterSeconds: 5 });
      assert.equal((await counter('g'))?.failures, 0);
      clock.advance(5);
      await failOnce(l, 'g');
      assert.equal((await failOnce(l, 'g')).admitted, true);
      assert.equal((await counter('g'))?.failures, 2);
    });

    test('a success gives its attempt back, so that successes never spend the allowance', async () => {
      const l = limiter();
      await failOnce(l, 'h');
      for (let i = 0; i < 10; i += 1) {
        const admission = await l.admit('h');
        assert.equal(admission.admitted, true, `success ${i + 1}`);
        if (admission.admitted) await admission.attempt.giveBack();
      }
      assert.equal((await counter('h'))?.failures, 1);
    });

    test('an attempt is settled once: a give-back after its failure changes nothing', async () => {
      const l = limiter();
      const admission = await l.admit('i');
      assert.ok(admission.admitted);
      await admission.attempt.fail();
      await admission.attempt.giveBack();
      assert.equal((await counter('i'))?.failures, 1);
    });

    test('a give-back after a block began frees nothing', async () => {
      const l = limiter();
      await failOnce(l, 'j');
      const late = await l.admit('j');
      assert.ok(late.admitted);
      await failOnce(l, 'j');
      assert.equal((await l.admit('j')).admitted, false, 'blocked by the third failure');
      await late.attempt.giveBack();
      assert.equal((await l.admit('j')).admitted, false, 'still blocked');
      assert.equal((await counter('j'))?.failures, 0);
    });

    test('clear forgets failures and lock history', async () => {
      const l = limiter();
      await blockNow(l, 'd');
      assert.equal(await l.clear('d'), true);
      assert.equal((await l.admit('d')).admitted, true);
      assert.equal(await l.clear('nothing-here'), false);
    });

    test('concurrent attempts: exactly the threshold is let through, the rest are refused uncounted, and one block follows', async () => {
      const l = createAttemptLimiter({ db: storage.db, clock, policy: { ...policy, threshold: 5 } });
      const admissions = await Promise.all(Array.from({ length: 12 }, () => l.admit('e')));
      const through = admissions.filter((a) => a.admitted);
      assert.equal(through.length, 5);
      assert.equal((await counter('e'))?.failures, 5, 'refused attempts are not counted');
      await Promise.all(through.map((a) => a.attempt.fail()));
      const row = await counter('e');
      assert.equal(row?.lock_count, 1, 'one block, however many failures reached the threshold together');
      assert.equal((await l.admit('e')).admitted, false);
    });

    test('concurrent attempts below the threshold are each counted once', async () => {
      const l = createAttemptLimiter({ db: storage.db, clock, policy: { ...policy, threshold: 1000 } });
      const admissions = await Promise.all(Array.from({ length: 40 }, () => l.admit('f')));
      await Promise.all(admissions.map((a) => a.admitted && a.attempt.fail()));
      assert.equal((await counter('f'))?.failures, 40);
    });

    test('removeByPrefix takes its prefix literally, _ and % included, and returns what it removed', async () => {
      const counters = createAttemptCounterQueries(storage.db);
      const l = limiter();
      for (const key of ['p:a_b:1', 'p:a_b:2', 'p:axb:1', 'p:a%:1', 'p:a_bc']) await failOnce(l, key);
      assert.deepEqual((await counters.removeByPrefix('p:a_b:')).map((row) => [row.key, row.failures]).sort(), [['p:a_b:1', 1], ['p:a_b:2', 1]]);
      assert.deepEqual((await counters.removeByPrefix('p:a%')).map((row) => row.key), ['p:a%:1']);
      assert.ok(await counters.find('p:axb:1'));
      assert.ok(await counters.find('p:a_bc'));
    });

    describe('the sign-in address throttle', () => {
      const settings = { ...defaultSecuritySettings, ipThreshold: 3, ipWindowSeconds: 60, ipMaxBlockSeconds: 600 };
      let n = 0;
      /** A throttle and an address of their own per test, so that counters do not mix. */
      const fresh = (allowlisted = (_address: string) => false) => ({ ips: createIpThrottle({ db: storage.db, clock, settings, allowlisted }), address: `192.0.2.${(n += 1)}` });
      const failures = async (address: string) => (await counter(ipKey(address)))?.failures ?? 0;

      async function fail(ips: ReturnType<typeof fresh>['ips'], address: string, account: string): Promise<AddressAdmission> {
        const admission = await ips.admit(address, account);
        if (admission.admitted) await admission.attempt.fail();
        return admission;
      }

      test('counts an identity once per window, however often it fails, and blocks at the threshold-th identity', async () => {
        const { ips, address } = fresh();
        for (let i = 0; i < 10; i += 1) assert.equal((await fail(ips, address, 'account:a')).admitted, true);
        assert.equal(await failures(address), 1);
        await fail(ips, address, 'account:b');
        assert.equal(await ips.blockedFor(address), undefined);
        await fail(ips, address, 'account:c');
        assert.equal(await ips.blockedFor(address), 60, 'the third identity blocks for one window');
        clock.advance(60);
        assert.equal(await ips.blockedFor(address), undefined);
        assert.equal((await fail(ips, address, 'account:a')).admitted, true, 'a new window counts the identity again');
        assert.equal(await failures(address), 1);
      });

      test('concurrent attempts of distinct identities: exactly the threshold is admitted; of one identity: all are, counted once', async () => {
        const { ips, address } = fresh();
        const distinct = await Promise.all(Array.from({ length: 8 }, (_, i) => ips.admit(address, `account:${i}`)));
        assert.equal(distinct.filter((a) => a.admitted).length, 3);
        const refused = distinct.flatMap((a, i) => (a.admitted ? [] : [i]));
        for (const i of refused) assert.equal((await identityRow(identityKey(address, `account:${i}`)))?.failures, 0, 'a refused attempt gives back the identity it created');

        const other = fresh();
        const same = await Promise.all(Array.from({ length: 8 }, () => other.ips.admit(other.address, 'account:same')));
        assert.ok(same.every((a) => a.admitted));
        assert.equal(await failures(other.address), 1);
        assert.equal((await identityRow(identityKey(other.address, 'account:same')))?.failures, 8);
      });

      test('a right password gives back what its attempt counted and the identity\'s earlier count, and forgets the identity: its next mistake counts again', async () => {
        const { ips, address } = fresh();
        const first = await ips.admit(address, 'account:a');
        assert.ok(first.admitted);
        await first.attempt.signedIn();
        assert.equal(await failures(address), 0);
        assert.equal(await identityRow(identityKey(address, 'account:a')), undefined);
        await fail(ips, address, 'account:a');
        await fail(ips, address, 'account:a');
        assert.equal(await failures(address), 1);
        const later = await ips.admit(address, 'account:a');
        assert.ok(later.admitted);
        await later.attempt.signedIn();
        await later.attempt.fail();
        assert.equal(await failures(address), 0, 'settled once: the sign-in stands');
        assert.equal(await identityRow(identityKey(address, 'account:a')), undefined);
        await fail(ips, address, 'account:a');
        assert.equal(await failures(address), 1, 'a later mistake counts again');
        const again = await ips.admit(address, 'account:a');
        assert.ok(again.admitted);
        await again.attempt.signedIn();
        await again.attempt.signedIn();
        assert.equal(await failures(address), 0);
      });

      test('a sign-in gives back only its own identity\'s count: the others stay counted and block at the threshold', async () => {
        const { ips, address } = fresh();
        await fail(ips, address, 'account:b');
        await fail(ips, address, 'account:a');
        const right = await ips.admit(address, 'account:a');
        assert.ok(right.admitted);
        await right.attempt.signedIn();
        const twice = await ips.admit(address, 'account:a');
        assert.ok(twice.admitted);
        await twice.attempt.signedIn();
        assert.equal(await failures(address), 1, 'b is still counted, and a second sign-in gives back nothing more');
        await fail(ips, address, 'account:c');
        await fail(ips, address, 'account:d');
        assert.equal(await ips.blockedFor(address), 60, 'b, c and d make the threshold');
      });

      test('a count made before a block is not given back after it', async () => {
        const { ips, address } = fresh();
        await fail(ips, address, 'account:a');
        await fail(ips, address, 'account:b');
        await fail(ips, address, 'account:c');
        assert.equal(await ips.blockedFor(address), 60);
        clock.advance(60);
        await fail(ips, address, 'account:x');
        const right = await ips.admit(address, 'account:a');
        assert.ok(right.admitted);
        await right.attempt.signedIn();
        assert.equal(await failures(address), 1, 'a\'s count went with the block; x stays counted');
      });

      test('concurrent attempts of one identity, some right: the address gets back at most what the identity counted', async () => {
        for (let round = 0; round < 5; round += 1) {
          const { ips, address } = fresh();
          await fail(ips, address, 'account:other');
          const admissions = await Promise.all(Array.from({ length: 6 }, () => ips.admit(address, 'account:a')));
          await Promise.all(admissions.map((admission, i) => (admission.admitted ? (i % 3 === round % 3 ? admission.attempt.signedIn() : admission.attempt.fail()) : undefined)));
          const left = await failures(address);
          assert.ok(left === 1 || left === 2, `round ${round + 1}: ${left} identities counted`);
          const row = await identityRow(identityKey(address, 'account:a'));
          assert.equal(left === 2, row?.counted_window_started_at != null, 'a counts at the address exactly when its row records it');
          const right = await ips.admit(address, 'account:a');
          assert.ok(right.admitted);
          await right.attempt.signedIn();
          assert.equal(await failures(address), 1, 'the other identity stays counted');
        }
      });

      test('an allow-listed address is never counted nor blocked', async () => {
        const { ips, address } = fresh((candidate) => candidate.startsWith('192.0.2.'));
        for (let i = 0; i < 10; i += 1) assert.equal((await fail(ips, address, `account:${i}`)).admitted, true);
        assert.equal(await counter(ipKey(address)), undefined);
        assert.equal(await identityRow(identityKey(address, 'account:0')), undefined);
        assert.equal(await ips.blockedFor(address), undefined);
      });
    });

    test('the sweep removes expired counters and keeps live ones', async () => {
      const l = limiter();
      await failOnce(l, 'old');
      clock.advance(61);
      await failOnce(l, 'fresh');
      await sweepExpired(storage.db, clock);
      const counters = createAttemptCounterQueries(storage.db);
      assert.equal(await counters.find('old'), undefined);
      assert.ok(await counters.find('fresh'));
    });
  });
}
