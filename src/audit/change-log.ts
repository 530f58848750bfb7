import type { Db } from '../db/database.js';
import { createAuditEventQueries } from '../db/queries/audit-events.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import type { IdGenerator } from '../runtime/ids.js';
import { auditRow, type AuditEvent } from './audit-event.js';
import type { AuditEventType } from './audit-event-types.js';
import type { AuditView } from './record-views.js';

/** One change a service command made, as it tells the audit log. */
export interface ManagementChange {
  type: AuditEventType;
  actor: Actor;
  /** Which record it changed, in the event's own columns. */
  subject?: Pick<AuditEvent, 'userId' | 'clientId' | 'connectionId' | 'clientAddress'>;
  /** The record's view (record-views.ts) before the change; absent for a creation. */
  before?: AuditView;
  /** Its view after; absent for a deletion. */
  after?: AuditView;
  /** Further non-secret facts, such as that a password or secret was changed. */
  details?: Record<string, unknown>;
}

/**
 * Records management changes. The commands are the only writers (docs/architecture.md), and each
 * hands its change here inside its own transaction, so that the event is stored exactly when the
 * change is: a command that fails, or a configuration file whose later entry fails, leaves no
 * event behind, and a change that committed always has one. The server and the short-lived CLI
 * record alike, with nothing left in memory to flush.
 */
export interface ChangeLog {
  /** Writes the events of these changes with `db`: the command's transaction. */
  record(db: Db, changes: readonly ManagementChange[]): Promise<void>;
}

/** JSON with object keys sorted, so that the same value read back from storage compares equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The fields of two views that differ: before and after, each with those fields only (an absent field is left out). */
export function difference(before: AuditView, after: AuditView): { before: AuditView; after: AuditView } {
  const changed: { before: AuditView; after: AuditView } = { before: {}, after: {} };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (canonical(before[key]) === canonical(after[key])) continue;
    if (key in before) changed.before[key] = before[key];
    if (key in after) changed.after[key] = after[key];
  }
  return changed;
}

function eventOf(change: ManagementChange): AuditEvent {
  const { before, after } = change;
  const changed = before && after ? difference(before, after) : undefined;
  // An update whose only change is a secret's (a password, a client secret) has no fields to show.
  const views = changed
    ? (Object.keys(changed.before).length + Object.keys(changed.after).length > 0 ? changed : {})
    : { ...(before ? { before } : {}), ...(after ? { after } : {}) };
  return { type: change.type, actor: change.actor, ...change.subject, details: { ...views, ...change.details } };
}

export function createChangeLog({ clock, ids }: { clock: Clock; ids: IdGenerator }): ChangeLog {
  return {
    async record(db, changes) {
      if (changes.length === 0) return;
      const now = clock.now();
      await createAuditEventQueries(db).append(changes.map((change) => auditRow(eventOf(change), ids(), now)));
    },
  };
}
