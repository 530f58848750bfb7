/*
 * WebAuthn challenges in the database, on every dialect: a challenge is consumed once, also when
 * ten answers (or two instances, or threads with their own connections) race it; only for the
 * purpose and the interaction it was made for; never once expired; and swept when unanswered.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openPostgres } from '../../src/db/connect.js';
import type { Db } from '../../src/db/database.js';
import { createWebauthnChallengeQueries, type ChallengePurpose } from '../../src/db/queries/webauthn-challenges.js';
import { sweepExpired } from '../../src/db/sweep-expired.js';
import { dialects } from '../helpers/databases.js';
import { openSharedStorage, raceInThreads, sqliteStatement, type SharedStorage } from '../helpers/sqlite-race.js';
import { pinnedClock } from '../helpers/test-clock.js';

const clock = pinnedClock(Date.UTC(2026, 11, 8, 12));
const fiveMinutes = 5 * 60 * 1000;

for (const dialect of dialects) {
  describe(`WebAuthn challenges (${dialect})`, () => {
    let shared: SharedStorage;
    let db: Db;
    before(async () => {
      shared = await openSharedStorage(dialect);
      db = shared.storage.db;
    });
    after(() => shared?.close());

    /** A new challenge for an interaction of its own, stored as the ceremonies store one. */
    const stored = async (purpose: ChallengePurpose = 'authentication', expiresAt = clock.now() + fiveMinutes) => {
      const row = { challenge: randomBytes(32).toString('base64url'), purpose, bound_to: `uid-${randomBytes(4).toString('hex')}`, user_id: null, expires_at: expiresAt };
      await createWebauthnChallengeQueries(db).insert(row);
      return row;
    };
    const consume = (row: { challenge: string; purpose: string; bound_to: string }, overrides: Partial<{ purpose: ChallengePurpose; boundTo: string; now: number }> = {}, on: Db = db) =>
      createWebauthnChallengeQueries(on).consume({ challenge: row.challenge, purpose: row.purpose as ChallengePurpose, boundTo: row.bound_to, now: clock.now(), ...overrides });

    test('a challenge is consumed once, and gives back what it was made for', async () => {
      const row = await stored('registration');
      assert.deepEqual(await consume(row), row);
      assert.equal(await consume(row), undefined, 'the second answer finds nothing');
    });

    test('only for its interaction and its purpose: another one consumes nothing and leaves it usable', async () => {
      const row = await stored('authentication');
      assert.equal(await consume(row, { boundTo: 'another-interaction' }), undefined);
      assert.equal(await consume(row, { purpose: 'registration' }), undefined);
      assert.equal(await consume({ ...row, challenge: randomBytes(32).toString('base64url') }), undefined, 'an unknown challenge');
      assert.deepEqual(await consume(row), row, 'still there for its own interaction');
    });

    test('an expired challenge is refused, from the moment it expires', async () => {
      const row = await stored('authentication', clock.now() + 1000);
      assert.equal(await consume(row, { now: clock.now() + 1000 }), undefined);
      assert.deepEqual(await consume(row, { now: clock.now() + 999 }), row, 'a millisecond earlier it was still good');
    });

    test('ten answers race one challenge: exactly one consumes it', async () => {
      const row = await stored();
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => consume(row)));
      assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
    });

    if (dialect === 'postgres') {
      test('two instances (two pools) race each of ten challenges: exactly one consumes each', async () => {
        const second = openPostgres(shared.postgresDatabaseUrl!);
        try {
          for (let round = 0; round < 10; round += 1) {
            const row = await stored();
            const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => consume(row, {}, i % 2 === 0 ? db : second.db)));
            assert.equal(outcomes.filter(Boolean).length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
          }
        } finally {
          await second.close();
        }
      });
    } else {
      test('eight threads with their own connections consume one challenge at once: exactly one deletes it', async () => {
        const row = await stored();
        const statement = await sqliteStatement((handle) => createWebauthnChallengeQueries(handle).consume({ challenge: row.challenge, purpose: 'authentication', boundTo: row.bound_to, now: clock.now() }));
        const outcomes = await raceInThreads(shared.sqliteFile!, Array.from({ length: 8 }, () => statement));
        assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
      });
    }

    test('the sweep removes challenges past their expiry and keeps the others', async () => {
      const gone = await stored('authentication', clock.now());
      const kept = await stored('authentication', clock.now() + 1);
      await sweepExpired(db, clock);
      const left = (await db.selectFrom('webauthn_challenges').select('challenge').execute()).map((row) => row.challenge);
      assert.ok(!left.includes(gone.challenge));
      assert.ok(left.includes(kept.challenge));
    });
  });
}
