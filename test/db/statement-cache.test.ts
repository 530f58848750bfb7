/*
 * SQLite statements prepared once per SQL text (src/db/statement-cache.ts), through Kysely as
 * Gatehouse uses it: the same statement runs again with other parameters, a statement still
 * being read is not run a second time under its reader, the least recently used goes beyond
 * the bound, and a schema change reaches statements prepared before it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.js';
import { withStatementCache } from '../../src/db/statement-cache.js';
import { createScopeService } from '../../src/scopes/scope-service.js';
import { createChangeLog } from '../../src/audit/change-log.js';
import { randomIds } from '../../src/runtime/ids.js';
import { openFreshStorage, type FreshStorage } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

describe('SQLite statements kept prepared', () => {
  let fresh: FreshStorage;
  before(async () => {
    fresh = await openFreshStorage('sqlite');
    await migrateToLatest(fresh.storage.db);
    const clock = pinnedClock(Date.UTC(2026, 11, 7));
    const scopes = createScopeService({ db: fresh.storage.db, clock, changes: createChangeLog({ clock, ids: randomIds }) });
    for (const name of ['a', 'b', 'c']) await scopes.createScope({ kind: 'cli', command: 'test' }, { name, description: name, claims: [] });
  });
  after(() => fresh?.cleanup());

  const byName = (name: string) => fresh.storage.db.selectFrom('scopes').select('name').where('name', '=', name);

  test('the same query with other parameters answers for each', async () => {
    for (const name of ['a', 'b', 'c', 'a']) assert.equal((await byName(name).executeTakeFirst())?.name, name);
    assert.equal(await byName('none').executeTakeFirst(), undefined);
  });

  test('a statement still being read is not handed out again: the same text gets a fresh one', () => {
    // Kysely holds SQLite's one connection while it streams, so this is the wrapper's own guard, tested on the driver.
    const database = new Sqlite(':memory:');
    const cached = withStatementCache(database, 2);
    database.exec("create table t (n integer); insert into t values (1), (2), (3)");
    const text = 'select n from t order by n';
    const seen: string[] = [];
    for (const row of cached.prepare(text).iterate([]) as Iterable<{ n: number }>) {
      seen.push(`${row.n}:${cached.prepare(text).all([]).length}`);
    }
    assert.deepEqual(seen, ['1:3', '2:3', '3:3']);
    assert.equal(cached.prepare(text), cached.prepare(text), 'once the reading is over, the kept statement is reused');
    cached.close();
  });

  test('beyond its size the least recently used statement is prepared again', () => {
    const database = new Sqlite(':memory:');
    const cached = withStatementCache(database, 2);
    const [one, two] = [cached.prepare('select 1'), cached.prepare('select 2')];
    assert.equal(cached.prepare('select 1'), one, 'used again: now the most recent');
    cached.prepare('select 3');
    assert.equal(cached.prepare('select 1'), one);
    assert.notEqual(cached.prepare('select 2'), two, 'dropped as the least recently used');
    cached.close();
  });

  test('a statement prepared before a schema change sees the new column', async () => {
    const everything = () => fresh.storage.db.selectFrom('scopes').selectAll().where('name', '=', 'a').executeTakeFirstOrThrow();
    assert.equal('extra' in (await everything()), false);
    await sql`alter table scopes add column extra text default 'added'`.execute(fresh.storage.db);
    assert.equal(((await everything()) as Record<string, unknown>).extra, 'added');
  });
});
