import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/database.js';
import { createAuditEventQueries, type AuditEventCursor, type AuditEventFilter, type AuditEventRow } from '../../src/db/queries/audit-events.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { dialects } from '../helpers/databases.js';
import { openFreshStorage, type FreshStorage } from '../helpers/fresh-services.js';

const t0 = Date.UTC(2026, 11, 1);

function row(occurredAt: number, fields: Partial<AuditEventRow> = {}): AuditEventRow {
  return {
    id: randomUUID(), occurred_at: occurredAt, type: 'token.issued', outcome: 'success', reason: null, actor_kind: 'client', actor_id: 'm2m',
    user_id: null, client_id: 'm2m', connection_id: null, client_address: '203.0.113.1', details: '{}', ...fields,
  };
}

/** Every event a filter selects, page by page through the cursor, as the management API will read them. */
async function allPages(db: Db, filter: AuditEventFilter, { limit, order = 'newest_first' as const, between }: { limit: number; order?: 'newest_first' | 'oldest_first'; between?: () => Promise<void> }) {
  const queries = createAuditEventQueries(db);
  const seen: AuditEventRow[] = [];
  let after: AuditEventCursor | undefined;
  for (;;) {
    const page = await queries.list(filter, { limit, order, ...(after ? { after } : {}) });
    seen.push(...page);
    if (page.length < limit) return seen;
    const last = page[page.length - 1]!;
    after = { occurredAt: last.occurred_at, id: last.id };
    await between?.();
  }
}

const newestFirst = (a: AuditEventRow, b: AuditEventRow) => b.occurred_at - a.occurred_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

for (const dialect of dialects) {
  describe(`the audit_events table (${dialect})`, () => {
    let fresh: FreshStorage;
    let db: Db;

    before(async () => {
      fresh = await openFreshStorage(dialect);
      await migrateToLatest(fresh.storage.db);
      db = fresh.storage.db;
    });
    after(() => fresh?.cleanup());

    const clear = () => db.deleteFrom('audit_events').execute();

    test('2,500 rows appended in one call, in chunks, are all stored, each column as given', async () => {
      await clear();
      const rows = Array.from({ length: 2500 }, (_, n) => row(t0 + n, { details: JSON.stringify({ n }), reason: n % 2 ? 'wrong_password' : null }));
      await createAuditEventQueries(db).append(rows);
      const stored = await db.selectFrom('audit_events').selectAll().execute();
      assert.equal(stored.length, 2500);
      const byId = new Map(stored.map((stored) => [stored.id, stored]));
      for (const given of rows) assert.deepEqual(byId.get(given.id), given);
    });

    test('pages newest first through the cursor: every event once, in order, also across many events of the same millisecond', async () => {
      await clear();
      const rows = [...Array.from({ length: 250 }, (_, n) => row(t0 + n)), ...Array.from({ length: 300 }, () => row(t0 + 100))];
      await createAuditEventQueries(db).append(rows);
      const seen = await allPages(db, {}, { limit: 40 });
      assert.deepEqual(seen.map((event) => event.id), [...rows].sort(newestFirst).map((event) => event.id));
      const oldestFirst = await allPages(db, {}, { limit: 40, order: 'oldest_first' });
      assert.deepEqual(oldestFirst.map((event) => event.id), [...rows].sort(newestFirst).reverse().map((event) => event.id));
    });

    test('events inserted while pages are read, before and after the cursor, neither repeat nor hide any event that was there', async () => {
      await clear();
      const queries = createAuditEventQueries(db);
      const existing = Array.from({ length: 400 }, (_, n) => row(t0 + n * 10));
      await queries.append(existing);
      let round = 0;
      // As other instances' batches land: some newer than everything, some among the events already paged and still to come.
      const between = async () => {
        round += 1;
        await queries.append([row(t0 + 100_000 + round), row(t0 + round * 7), row(t0 + 2000 + round), row(t0 + 3999 - round)]);
      };
      const seen = await allPages(db, {}, { limit: 25, between });
      const ids = seen.map((event) => event.id);
      assert.equal(new Set(ids).size, ids.length, 'no event twice');
      const shown = new Set(ids);
      assert.deepEqual(existing.filter((event) => !shown.has(event.id)), [], 'no event that was there is skipped');
      assert.deepEqual(seen, [...seen].sort(newestFirst), 'in order');
    });

    test('filters by type, user, application and time range combine, with the cursor', async () => {
      await clear();
      const rows = [
        ...Array.from({ length: 60 }, (_, n) => row(t0 + n * 1000, { type: n % 2 ? 'sign_in.failed' : 'sign_in.succeeded', outcome: n % 2 ? 'failure' : 'success', user_id: n % 3 ? 'u1' : 'u2', client_id: n % 4 ? 'web' : 'spa' })),
        ...Array.from({ length: 20 }, (_, n) => row(t0 + n * 1000)),
      ];
      await createAuditEventQueries(db).append(rows);
      const expect = (keep: (event: AuditEventRow) => boolean) => rows.filter(keep).sort(newestFirst).map((event) => event.id);
      const ids = async (filter: AuditEventFilter) => (await allPages(db, filter, { limit: 7 })).map((event) => event.id);
      assert.deepEqual(await ids({ types: ['sign_in.failed'] }), expect((event) => event.type === 'sign_in.failed'));
      assert.deepEqual(await ids({ types: ['sign_in.failed', 'token.issued'] }), expect((event) => event.type !== 'sign_in.succeeded'));
      assert.deepEqual(await ids({ types: [] }), []);
      assert.deepEqual(await ids({ userId: 'u2' }), expect((event) => event.user_id === 'u2'));
      assert.deepEqual(await ids({ clientId: 'spa', userId: 'u1' }), expect((event) => event.client_id === 'spa' && event.user_id === 'u1'));
      const from = t0 + 10_000;
      const to = t0 + 30_000;
      assert.deepEqual(await ids({ from, to, types: ['sign_in.succeeded'] }), expect((event) => event.occurred_at >= from && event.occurred_at < to && event.type === 'sign_in.succeeded'));
    });

    test('pruning removes exactly the events before the cutoff, many thousands in steps', async () => {
      await clear();
      const queries = createAuditEventQueries(db);
      await queries.append(Array.from({ length: 12_000 }, (_, n) => row(t0 + (n % 1000))));
      const kept = Array.from({ length: 30 }, (_, n) => row(t0 + 1000 + n));
      await queries.append(kept);
      assert.equal(await queries.pruneBefore(t0 + 1000), 12_000);
      const left = await db.selectFrom('audit_events').select('id').execute();
      assert.deepEqual(new Set(left.map((event) => event.id)), new Set(kept.map((event) => event.id)));
      assert.equal(await queries.pruneBefore(t0 + 1000), 0);
    });

    test('pruning a backlog removes at most its cap per run, the next run going on from there, and lets other work run between its deletes', async () => {
      await clear();
      const queries = createAuditEventQueries(db);
      await queries.append(Array.from({ length: 12_000 }, (_, n) => row(t0 + (n % 1000))));
      const kept = Array.from({ length: 30 }, (_, n) => row(t0 + 1000 + n));
      await queries.append(kept);
      // Something waiting on the event loop (a request, a timer): it counts each turn it gets while pruning runs.
      let turns = 0;
      let pruning = true;
      const waiting = () => {
        if (!pruning) return;
        turns += 1;
        setImmediate(waiting);
      };
      setImmediate(waiting);
      const removed = await queries.pruneBefore(t0 + 1000, { rowsPerPrune: 1000, maxRows: 5000 });
      pruning = false;
      assert.equal(removed, 5000, 'no more than the cap in one run');
      assert.ok(turns >= 4, `the waiting callback ran between the 5 deletes (it ran ${turns} times)`);
      assert.equal(await queries.pruneBefore(t0 + 1000, { rowsPerPrune: 1000, maxRows: 5000 }), 5000);
      assert.equal(await queries.pruneBefore(t0 + 1000, { rowsPerPrune: 1000, maxRows: 5000 }), 2000, 'the last run removes what is left');
      assert.equal(await queries.pruneBefore(t0 + 1000, { rowsPerPrune: 1000, maxRows: 5000 }), 0);
      const left = await db.selectFrom('audit_events').select('id').execute();
      assert.deepEqual(new Set(left.map((event) => event.id)), new Set(kept.map((event) => event.id)));
    });
  });
}
