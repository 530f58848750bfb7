import assert from 'node:assert/strict';
import type { Db } from '../../../src/db/database.js';
import type { AuditEventRow } from '../../../src/db/queries/audit-events.js';
import { secretOf } from '../../helpers/applications.js';
import type { TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';

/** An audit event as a test reads it: the row, its details parsed. */
export type StoredEvent = Omit<AuditEventRow, 'details'> & { details: Record<string, unknown> };

const parsed = (row: AuditEventRow): StoredEvent => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> });

/** Every event stored, oldest first, of these types when given: what requests recorded is written first. */
export async function auditEvents(server: TestServer, ...types: string[]): Promise<StoredEvent[]> {
  await server.audit.flush();
  return storedEvents(server.services.deps.db, ...types);
}

/** Every event in this database, oldest first (of these types when given), without asking a server to write first. */
export async function storedEvents(db: Db, ...types: string[]): Promise<StoredEvent[]> {
  let query = db.selectFrom('audit_events').selectAll().orderBy('occurred_at').orderBy('id');
  if (types.length > 0) query = query.where('type', 'in', types);
  return (await query.execute()).map(parsed);
}

/**
 * What a test does, and the events it added: those stored after it that were not there before
 * (ids are random, so it is the set of ids that tells them apart, not their order).
 */
export async function eventsOf(server: TestServer, action: () => Promise<unknown>, ...types: string[]): Promise<StoredEvent[]> {
  const before = new Set((await auditEvents(server)).map((event) => event.id));
  await action();
  return (await auditEvents(server, ...types)).filter((event) => !before.has(event.id));
}

/** The one event of this type an action added; fails naming what was added instead. */
export async function oneEventOf(server: TestServer, type: string, action: () => Promise<unknown>): Promise<StoredEvent> {
  const added = await eventsOf(server, action);
  const matching = added.filter((event) => event.type === type);
  if (matching.length !== 1) throw new Error(`expected one ${type} event, got ${matching.length}; added: ${added.map((event) => `${event.type}(${event.reason ?? ''})`).join(', ')}`);
  return matching[0]!;
}

/** Every column of every row, as text: what a search for a leaked secret looks through. */
export async function wholeTableAsText(db: Db): Promise<string> {
  const rows = await db.selectFrom('audit_events').selectAll().execute();
  return rows.map((row) => Object.values(row).map((value) => String(value)).join('\u0001')).join('\n');
}

/** `count` client credentials requests of the application `m2m` (scope reports:read), at most `concurrency` at once, each answered 200. */
export async function tokenBurst(server: Pick<TestServer, 'url' | 'issuer'>, count: number, concurrency = 32): Promise<void> {
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      const answer = await postToken(server as TestServer, { grant_type: 'client_credentials', scope: 'reports:read' }, basicAuth('m2m', secretOf('m2m')));
      assert.equal(answer.status, 200);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
