import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, beforeEach, describe, test } from 'node:test';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import pino from 'pino';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { createAuditLog, type AuditLog, type AuditLogLimits } from '../../src/audit/audit-log.js';
import { openSqlite } from '../../src/db/connect.js';
import type { Storage } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { GatehouseError } from '../../src/errors/gatehouse-error.js';
import { pinnedClock } from '../helpers/test-clock.js';

/** Counts the inserts, and fails them as an outage does while `outage` is set. */
class Inserts implements KyselyPlugin {
  outage = false;
  count = 0;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === 'InsertQueryNode') {
      this.count += 1;
      if (this.outage) throw new GatehouseError('storage_unavailable', 'the database cannot be reached: switched off by the test');
    }
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

const event = (n: number): AuditEvent => ({ type: 'token.issued', actor: { kind: 'client', clientId: 'm2m' }, clientId: 'm2m', details: { n } });

describe('the audit log writer', () => {
  let storage: Storage;
  let inserts: Inserts;
  let lines: Array<{ level: number; msg: string } & Record<string, unknown>>;
  let counter: number;
  const clock = pinnedClock(Date.UTC(2026, 11, 7));
  const logs: AuditLog[] = [];

  beforeEach(async () => {
    await storage?.close();
    storage = openSqlite(':memory:');
    await migrateToLatest(storage.db);
    inserts = new Inserts();
    lines = [];
    counter = 0;
  });
  after(async () => {
    for (const log of logs) await log.close();
    await storage?.close();
  });

  function writer(limits: Partial<AuditLogLimits>, ids = () => `id-${String((counter += 1)).padStart(4, '0')}`): AuditLog {
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const log = createAuditLog({ db: storage.db.withPlugin(inserts), clock, ids, logger, limits: { flushMilliseconds: 60_000, batchEvents: 10, maxQueuedEvents: 1000, retryMilliseconds: 60_000, ...limits } });
    logs.push(log);
    return log;
  }
  const stored = async () => (await storage.db.selectFrom('audit_events').selectAll().orderBy('id').execute()).map((row) => JSON.parse(row.details) as Record<string, unknown>);
  const messages = (level: string) => lines.filter((line) => line.level === pino.levels.values[level]).map((line) => line.msg);

  test('record returns at once and writes nothing; a flush writes every event, as recorded, with its time and id', async () => {
    const log = writer({});
    for (let n = 0; n < 3; n += 1) log.record(event(n));
    assert.deepEqual(await stored(), []);
    await log.flush();
    const rows = await storage.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    assert.deepEqual(rows.map((row) => [row.id, row.occurred_at, row.type, row.outcome, row.actor_kind, row.actor_id, row.details]), [0, 1, 2].map((n) => [
      `id-000${n + 1}`, clock.now(), 'token.issued', 'success', 'client', 'm2m', JSON.stringify({ n }),
    ]));
  });

  test('what waits is written within the interval, without a flush', async () => {
    const log = writer({ flushMilliseconds: 30 });
    log.record(event(1));
    log.record(event(2));
    await sleep(150);
    assert.equal((await stored()).length, 2);
    assert.equal(inserts.count, 1, 'one insert for both');
  });

  test('a full batch is written at once, one insert each; the rest waits for the interval', async () => {
    const log = writer({ batchEvents: 10 });
    for (let n = 0; n < 25; n += 1) log.record(event(n));
    await sleep(50);
    assert.equal((await stored()).length, 20);
    assert.equal(inserts.count, 2);
    await log.flush();
    assert.equal((await stored()).length, 25);
    assert.equal(inserts.count, 3);
  });

  test('while the database cannot be reached the events are kept, with one warning; they are written, in order, once it is back', async () => {
    const log = writer({});
    inserts.outage = true;
    for (let n = 0; n < 5; n += 1) log.record(event(n));
    await log.flush();
    await log.flush();
    assert.deepEqual(await stored(), []);
    assert.deepEqual(messages('warn'), ['audit events could not be written; they are kept and tried again']);
    inserts.outage = false;
    await log.flush();
    assert.deepEqual(await stored(), [0, 1, 2, 3, 4].map((n) => ({ n })));
    assert.deepEqual(messages('info'), ['audit events are written again']);
  });

  test('beyond the bound the oldest are dropped, with one warning, and once writes work an audit.events_dropped event says how many and when', async () => {
    const log = writer({ maxQueuedEvents: 4 });
    inserts.outage = true;
    for (let n = 0; n < 3; n += 1) log.record(event(n));
    await log.flush();
    clock.advance(60);
    for (let n = 3; n < 7; n += 1) log.record(event(n));
    await log.flush();
    assert.equal(messages('warn').filter((message) => message.includes('the oldest are being dropped')).length, 1);
    inserts.outage = false;
    await log.flush();
    const rows = await storage.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    assert.deepEqual(rows.filter((row) => row.type === 'token.issued').map((row) => JSON.parse(row.details)), [3, 4, 5, 6].map((n) => ({ n })), 'the newest are kept');
    const dropped = rows.find((row) => row.type === 'audit.events_dropped')!;
    assert.deepEqual([dropped.outcome, dropped.actor_kind, dropped.reason], ['failure', 'system', 'storage_unavailable']);
    assert.deepEqual(JSON.parse(dropped.details), { count: 3, first_occurred_at: clock.now() - 60_000, last_occurred_at: clock.now() - 60_000 });
    assert.ok(messages('warn').some((message) => message === 'audit events were dropped while they could not be written'));
  });

  test('the dropped range runs from the earliest to the latest event dropped, also when a failed batch put back in front is dropped after newer ones', async () => {
    const log = writer({ maxQueuedEvents: 4 });
    inserts.outage = true;
    const start = clock.now();
    for (let n = 0; n < 2; n += 1) log.record(event(n));
    clock.advance(60);
    const writing = log.flush();
    // While the older two are being written, five newer ones overflow the queue.
    for (let n = 2; n < 7; n += 1) log.record(event(n));
    await writing;
    inserts.outage = false;
    await log.flush();
    const dropped = (await storage.db.selectFrom('audit_events').selectAll().where('type', '=', 'audit.events_dropped').execute())[0]!;
    const details = JSON.parse(dropped.details) as { count: number; first_occurred_at: number; last_occurred_at: number };
    assert.equal(details.first_occurred_at, start);
    assert.equal(details.last_occurred_at, start + 60_000);
  });

  test('a row the database refuses for itself is dropped alone, with one error, and the rest of its batch is written', async () => {
    const ids = ['a', 'b', 'a', 'c'];
    const log = writer({}, () => ids.shift()!);
    log.record(event(1));
    log.record(event(2));
    await log.flush();
    log.record(event(3)); // its id is taken: a unique violation, not an outage
    log.record(event(4));
    await log.flush();
    assert.deepEqual(await stored(), [{ n: 1 }, { n: 2 }, { n: 4 }]);
    assert.equal(messages('error').length, 1);
    assert.equal(lines.find((line) => line.level === 50)!.refused, 1);
  });

  test('close writes what waits; what comes after is not taken', async () => {
    const log = writer({});
    for (let n = 0; n < 3; n += 1) log.record(event(n));
    await log.close();
    assert.equal((await stored()).length, 3);
    log.record(event(4));
    await log.flush();
    assert.equal((await stored()).length, 3);
    assert.deepEqual(messages('warn'), ['an audit event came after the audit log closed and was not recorded']);
  });

  test('an event that cannot be taken is logged, never thrown at the request', async () => {
    const log = writer({});
    assert.doesNotThrow(() => log.record({ ...event(0), details: { impossible: 1n } }));
    log.record(event(1));
    await log.flush();
    assert.deepEqual(await stored(), [{ n: 1 }]);
    assert.deepEqual(messages('error'), ['an audit event could not be recorded']);
  });
});
