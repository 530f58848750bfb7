/*
 * The token ids partners' connections accepted (jwt_replays), on every dialect: remembered once
 * per connection, also when two remember one at the same moment, and swept once the token
 * would be refused as expired anyway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JwtConnection } from '../../src/connections/connection.js';
import { createJwtReplayQueries } from '../../src/db/queries/jwt-replays.js';
import { sweepExpired } from '../../src/db/sweep-expired.js';
import { rememberTokenId } from '../../src/sign-in/jwt/check-replay.js';
import type { PartnerClaims } from '../../src/sign-in/jwt/partner-claims.js';
import { dialects } from '../helpers/databases.js';
import { openFreshStorage, type FreshStorage } from '../helpers/fresh-services.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { pinnedClock } from '../helpers/test-clock.js';

const now = Date.UTC(2026, 11, 6, 12);
const connection = (id: string) => ({ id, clockSkewSeconds: 30 }) as JwtConnection;
const claims = (jti: string | undefined, exp = now / 1000 + 60): PartnerClaims =>
  ({ jti, exp, sub: 's', email: undefined, given_name: undefined, family_name: undefined, groups: undefined });

for (const dialect of dialects) {
  describe(`remembered token ids (${dialect})`, () => {
    let fresh: FreshStorage;
    before(async () => {
      fresh = await openFreshStorage(dialect);
      await migrateToLatest(fresh.storage.db);
    });
    after(() => fresh?.cleanup());

    test('a token id is accepted once per connection, and another connection has its own', async () => {
      const { db } = fresh.storage;
      assert.equal(await rememberTokenId(db, connection('portal'), claims('t-1')), true);
      assert.equal(await rememberTokenId(db, connection('portal'), claims('t-1')), false, 'the replay');
      assert.equal(await rememberTokenId(db, connection('billing'), claims('t-1')), true, 'another partner\'s ids are its own');
      assert.equal(await rememberTokenId(db, connection('portal'), claims(undefined)), true, 'no jti: nothing to remember');
      const rows = await db.selectFrom('jwt_replays').selectAll().where('connection_id', '=', 'portal').execute();
      assert.equal(rows.length, 1);
      assert.match(rows[0]!.jti_hash, /^[0-9a-f]{64}$/, 'only a hash of the id is kept');
      assert.equal(rows[0]!.expires_at, now + 90_000, 'kept until exp plus the skew');
    });

    test('ten remembering one id at once: exactly one is first', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => rememberTokenId(fresh.storage.db, connection('portal'), claims('t-race'))));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('the sweep removes ids past their token\'s expiry and keeps the others', async () => {
      const { db } = fresh.storage;
      await createJwtReplayQueries(db).remember({ connection_id: 'portal', jti_hash: 'a'.repeat(64), expires_at: now - 1 });
      await createJwtReplayQueries(db).remember({ connection_id: 'portal', jti_hash: 'b'.repeat(64), expires_at: now + 1 });
      await sweepExpired(db, pinnedClock(now));
      const left = (await db.selectFrom('jwt_replays').select('jti_hash').execute()).map((row) => row.jti_hash);
      assert.ok(!left.includes('a'.repeat(64)));
      assert.ok(left.includes('b'.repeat(64)));
    });
  });
}
