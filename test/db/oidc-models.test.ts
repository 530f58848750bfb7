import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { createApplicationCache } from '../../src/applications/application-cache.js';
import { createApplicationService } from '../../src/applications/application-service.js';
import { createChangeLog } from '../../src/audit/change-log.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openPostgres } from '../../src/db/connect.js';
import type { Storage } from '../../src/db/database.js';
import { createOidcModelQueries, type OidcModelRow } from '../../src/db/queries/oidc-models.js';
import { sweepExpired } from '../../src/db/sweep-expired.js';
import { createAdapterClass } from '../../src/oidc/adapter.js';
import { createSessions } from '../../src/oidc/sessions.js';
import { randomIds } from '../../src/runtime/ids.js';
import { dialects } from '../helpers/databases.js';
import { openSharedStorage, raceInThreads, sqliteStatement, type SharedStorage } from '../helpers/sqlite-race.js';
import { pinnedClock } from '../helpers/test-clock.js';

const now = Date.UTC(2026, 10, 26, 12);
const minute = 60_000;

function row(overrides: Partial<OidcModelRow> & Pick<OidcModelRow, 'model' | 'id'>): OidcModelRow {
  return {
    payload: JSON.stringify({ jti: overrides.id, kind: overrides.model }),
    grant_id: null,
    user_code: null,
    uid: null,
    account_id: null,
    expires_at: now + 10 * minute,
    consumed_at: null,
    ...overrides,
  };
}

/** The SQL the query module runs to consume a row, compiled for SQLite but not executed. */
function consumeStatement(model: string, id: string): Promise<CompiledQuery> {
  return sqliteStatement((db) => createOidcModelQueries(db).consume(model, id, now));
}

for (const dialect of dialects) {
  describe(`oidc_models storage (${dialect})`, () => {
    let storage: Storage;
    let rows: ReturnType<typeof createOidcModelQueries>;
    let shared: SharedStorage;

    before(async () => {
      shared = await openSharedStorage(dialect);
      storage = shared.storage;
      rows = createOidcModelQueries(storage.db);
    });
    after(() => shared?.close());
    beforeEach(async () => {
      await storage.db.deleteFrom('oidc_models').execute();
    });

    test('an upserted row is found by id, uid and user code, within its model only', async () => {
      await rows.upsert(row({ model: 'Session', id: 's1', uid: 'u1' }));
      await rows.upsert(row({ model: 'DeviceCode', id: 'd1', user_code: 'ABCD-EFGH' }));
      assert.equal((await rows.findBy('Session', 'id', 's1', now))?.payload, JSON.stringify({ jti: 's1', kind: 'Session' }));
      assert.ok(await rows.findBy('Session', 'uid', 'u1', now));
      assert.ok(await rows.findBy('DeviceCode', 'user_code', 'ABCD-EFGH', now));
      assert.equal(await rows.findBy('AccessToken', 'id', 's1', now), undefined, 'another model with the same id is another row');
      assert.equal(await rows.findBy('Session', 'id', 'nope', now), undefined);
    });

    test('upserting again replaces the payload and expiry, but never un-consumes', async () => {
      await rows.upsert(row({ model: 'AuthorizationCode', id: 'c1' }));
      assert.equal(await rows.consume('AuthorizationCode', 'c1', now), true);
      await rows.upsert(row({ model: 'AuthorizationCode', id: 'c1', payload: '{"changed":true}', expires_at: now + 20 * minute }));
      const found = await rows.findBy('AuthorizationCode', 'id', 'c1', now + 15 * minute);
      assert.equal(found?.payload, '{"changed":true}');
      assert.equal(found?.consumed_at, now, 'still consumed');
      assert.equal(await rows.consume('AuthorizationCode', 'c1', now), false);
    });

    test('a row is consumed once; a second consume fails and leaves the first time', async () => {
      await rows.upsert(row({ model: 'RefreshToken', id: 'r1' }));
      assert.equal(await rows.consume('RefreshToken', 'r1', now), true);
      assert.equal(await rows.consume('RefreshToken', 'r1', now + minute), false);
      assert.equal((await rows.findBy('RefreshToken', 'id', 'r1', now))?.consumed_at, now);
      assert.equal(await rows.consume('RefreshToken', 'missing', now), false, 'a row that does not exist is not consumed');
    });

    test('twenty concurrent consumes of one row: exactly one wins', async () => {
      await rows.upsert(row({ model: 'AuthorizationCode', id: 'race' }));
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => rows.consume('AuthorizationCode', 'race', now)));
      assert.equal(outcomes.filter(Boolean).length, 1);
    });

    if (dialect === 'sqlite') {
      test('eight threads with their own connections consume one row of the file at once: exactly one wins', async () => {
        await rows.upsert(row({ model: 'AuthorizationCode', id: 'threads' }));
        const statement = await consumeStatement('AuthorizationCode', 'threads');
        const outcomes = await raceInThreads(shared.sqliteFile!, Array.from({ length: 8 }, () => statement));
        assert.equal(outcomes.length, 8);
        assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
      });
    } else {
      test('two pools (two instances) consume one row on twenty connections at once: exactly one wins', async () => {
        const second = openPostgres(shared.postgresDatabaseUrl!);
        try {
          await rows.upsert(row({ model: 'RefreshToken', id: 'pools' }));
          const others = createOidcModelQueries(second.db);
          const outcomes = await Promise.all(
            Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? rows : others).consume('RefreshToken', 'pools', now)),
          );
          assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
        } finally {
          await second.close();
        }
      });
    }

    test('revokeByGrantId removes one model\'s rows of that grant and nothing else', async () => {
      await rows.upsert(row({ model: 'AccessToken', id: 'a1', grant_id: 'g1' }));
      await rows.upsert(row({ model: 'AccessToken', id: 'a2', grant_id: 'g2' }));
      await rows.upsert(row({ model: 'RefreshToken', id: 'r1', grant_id: 'g1' }));
      await rows.revokeByGrantId('AccessToken', 'g1');
      assert.equal(await rows.findBy('AccessToken', 'id', 'a1', now), undefined);
      assert.ok(await rows.findBy('AccessToken', 'id', 'a2', now), 'another grant is untouched');
      assert.ok(await rows.findBy('RefreshToken', 'id', 'r1', now), 'another model is untouched');
    });

    test('revokeGrant removes the grant and everything issued from it, in every model', async () => {
      await rows.upsert(row({ model: 'Grant', id: 'g1' }));
      await rows.upsert(row({ model: 'AccessToken', id: 'a1', grant_id: 'g1' }));
      await rows.upsert(row({ model: 'RefreshToken', id: 'r1', grant_id: 'g1' }));
      await rows.upsert(row({ model: 'RefreshToken', id: 'r2', grant_id: 'g2' }));
      assert.equal(await rows.grantIdOf('RefreshToken', 'r1'), 'g1');
      await rows.revokeGrant('g1');
      for (const [model, id] of [['Grant', 'g1'], ['AccessToken', 'a1'], ['RefreshToken', 'r1']] as const) {
        assert.equal(await rows.findBy(model, 'id', id, now), undefined, `${model} ${id} is gone`);
      }
      assert.ok(await rows.findBy('RefreshToken', 'id', 'r2', now));
    });

    test('expired rows are not found, and deleteExpired removes exactly them', async () => {
      await rows.upsert(row({ model: 'AccessToken', id: 'old', expires_at: now - minute }));
      await rows.upsert(row({ model: 'AccessToken', id: 'edge', expires_at: now }));
      await rows.upsert(row({ model: 'AccessToken', id: 'fresh', expires_at: now + minute }));
      await rows.upsert(row({ model: 'ReplayDetection', id: 'forever', expires_at: null }));
      assert.equal(await rows.findBy('AccessToken', 'id', 'old', now), undefined);
      assert.equal(await rows.findBy('AccessToken', 'id', 'edge', now), undefined, 'a row expires at its expiry instant');
      assert.ok(await rows.findBy('AccessToken', 'id', 'fresh', now));

      assert.equal(await rows.deleteExpired(now), 2);
      const left = await storage.db.selectFrom('oidc_models').select('id').orderBy('id').execute();
      assert.deepEqual(left.map((r) => r.id), ['forever', 'fresh']);
    });

    test('the periodic sweep removes expired protocol rows and attempt counters, nothing else', async () => {
      await storage.db.deleteFrom('attempt_counters').execute();
      await rows.upsert(row({ model: 'Session', id: 'gone', expires_at: now - minute }));
      await rows.upsert(row({ model: 'Session', id: 'kept', expires_at: now + minute }));
      const counter = { failures: 1, window_started_at: now - 10 * minute, locked_until: null, lock_count: 0 };
      await storage.db.insertInto('attempt_counters').values([
        { key: 'ip:203.0.113.1', ...counter, expires_at: now - minute },
        { key: 'ip:203.0.113.2', ...counter, expires_at: now + minute },
      ]).execute();
      assert.equal(await sweepExpired(storage.db, pinnedClock(now)), 2);
      assert.deepEqual((await storage.db.selectFrom('oidc_models').select('id').execute()).map((r) => r.id), ['kept']);
      assert.deepEqual((await storage.db.selectFrom('attempt_counters').select('key').execute()).map((r) => r.key), ['ip:203.0.113.2']);
    });

    test('an application\'s rows are removed by its exact client_id: not another\'s in another case, nor one a wildcard would match, nor sessions', async () => {
      const payload = (clientId: string) => JSON.stringify({ clientId, jti: 'x' });
      for (const [model, id, clientId] of [
        ['AccessToken', 'a1', 'c_i'], ['RefreshToken', 'r1', 'c_i'], ['Grant', 'g1', 'c_i'], ['AccessToken', 'a2', 'C_I'], ['AccessToken', 'a3', 'cxi'], ['Session', 's1', 'c_i'],
      ] as const) {
        await rows.upsert(row({ model, id, payload: payload(clientId) }));
      }
      await createSessions(storage.db).endAllOfClient('c_i');
      const left = await storage.db.selectFrom('oidc_models').select(['model', 'id']).orderBy('id').execute();
      assert.deepEqual(left.map((r) => `${r.model}:${r.id}`), ['AccessToken:a2', 'AccessToken:a3', 'Session:s1']);
    });

    test('destroy removes one row', async () => {
      await rows.upsert(row({ model: 'Session', id: 's1' }));
      await rows.upsert(row({ model: 'Session', id: 's2' }));
      await rows.destroy('Session', 's1');
      assert.equal(await rows.findBy('Session', 'id', 's1', now), undefined);
      assert.ok(await rows.findBy('Session', 'id', 's2', now));
    });

    test('the adapter reports a second consume as invalid_grant and revokes the grant', async () => {
      const clock = pinnedClock(now);
      const applications = createApplicationService({ db: storage.db, box: createSecretBox('s'.repeat(32)), clock, changes: createChangeLog({ clock, ids: randomIds }), sessions: createSessions, cache: createApplicationCache(10), fetchLogo: () => Promise.reject(new Error('no logo in this test')) });
      const Adapter = createAdapterClass({ db: storage.db, clock, findClient: applications.findClientMetadata });
      const codes = new Adapter('AuthorizationCode');
      const tokens = new Adapter('AccessToken');
      await new Adapter('Grant').upsert('g1', { jti: 'g1' }, 600);
      await codes.upsert('c1', { jti: 'c1', grantId: 'g1' }, 60);
      await tokens.upsert('a1', { jti: 'a1', grantId: 'g1' }, 600);

      await codes.consume('c1');
      assert.equal(typeof (await codes.find('c1'))?.consumed, 'number', 'the engine sees the code as consumed');
      await assert.rejects(codes.consume('c1'), (error: { error?: string }) => error.error === 'invalid_grant');
      assert.equal(await tokens.find('a1'), undefined, 'tokens of the grant are revoked');
      assert.equal(await new Adapter('Grant').find('g1'), undefined, 'the grant is revoked');
    });

    test('lookups by grant, interaction, user code and account use indexes holding only the rows that have one', async () => {
      await rows.upsert(row({ model: 'AccessToken', id: 'a1', grant_id: 'g1', account_id: 'acc1' }));
      await rows.upsert(row({ model: 'ClientCredentials', id: 'c1' }));
      const lookups = [
        ['oidc_models_grant_id', storage.db.selectFrom('oidc_models').select('id').where('model', '=', 'AccessToken').where('grant_id', '=', 'g1')],
        ['oidc_models_uid', storage.db.selectFrom('oidc_models').select('id').where('model', '=', 'Session').where('uid', '=', 'u1')],
        ['oidc_models_user_code', storage.db.selectFrom('oidc_models').select('id').where('model', '=', 'DeviceCode').where('user_code', '=', 'ABCD')],
        ['oidc_models_account_id', storage.db.selectFrom('oidc_models').select('id').where('account_id', '=', 'acc1')],
      ] as const;
      for (const [index, query] of lookups) {
        const compiled = query.compile();
        const plan = await storage.db.transaction().execute(async (trx) => {
          // A table this small is read whole by PostgreSQL's planner unless told not to: the question is whether the index can serve.
          if (dialect === 'postgres') await sql`set local enable_seqscan = off`.execute(trx);
          const explain = dialect === 'postgres' ? 'explain ' : 'explain query plan ';
          const result = await trx.executeQuery(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
          return JSON.stringify(result.rows);
        });
        assert.ok(plan.includes(index), `${index} serves the lookup: ${plan}`);
      }
      const definitions = dialect === 'postgres'
        ? await sql<{ definition: string }>`select indexdef as definition from pg_indexes where tablename = 'oidc_models'`.execute(storage.db)
        : await sql<{ definition: string }>`select sql as definition from sqlite_master where type = 'index' and tbl_name = 'oidc_models' and sql is not null`.execute(storage.db);
      for (const [index] of lookups) {
        const definition = definitions.rows.find((r) => r.definition.includes(index))?.definition ?? '';
        assert.match(definition, /where .+ is not null/i, `${index} holds only rows with a value: ${definition}`);
      }
    });
  });
}
