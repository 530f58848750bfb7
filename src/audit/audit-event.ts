import { defaults } from '../config/defaults.js';
import type { AuditEventRow } from '../db/queries/audit-events.js';
import type { Actor } from '../runtime/actor.js';
import { auditEventTypes, type AuditEventType } from './audit-event-types.js';

/**
 * Who acted: a command's actor (the configuration file, the CLI, an API caller, Gatehouse
 * itself), a signed-in user, an application acting for itself, or somebody not (yet) known,
 * such as whoever sent a wrong password.
 */
export type AuditActor = Actor | { kind: 'user'; userId: string } | { kind: 'client'; clientId: string } | { kind: 'anonymous' };

/**
 * An event as the code that saw it describes it. Nothing secret goes in: no password or hash,
 * token, code, client or connection secret, key or cookie; `details` holds non-secret fields only.
 */
export interface AuditEvent {
  type: AuditEventType;
  actor: AuditActor;
  /** A failure's stable reason, e.g. `wrong_password` (docs/audit.md lists them per type). */
  reason?: string;
  userId?: string;
  clientId?: string;
  connectionId?: string;
  clientAddress?: string;
  details?: Record<string, unknown>;
}

function actorColumns(actor: AuditActor): Pick<AuditEventRow, 'actor_kind' | 'actor_id'> {
  switch (actor.kind) {
    case 'user':
      return { actor_kind: 'user', actor_id: actor.userId };
    case 'client':
      return { actor_kind: 'client', actor_id: actor.clientId };
    case 'anonymous':
      return { actor_kind: 'anonymous', actor_id: null };
    case 'config_file':
      return { actor_kind: 'config_file', actor_id: actor.file };
    case 'cli':
      return { actor_kind: 'cli', actor_id: actor.command };
    case 'api':
      return { actor_kind: 'api', actor_id: actor.subject };
    case 'system':
      return { actor_kind: 'system', actor_id: actor.reason };
  }
}

/** Cut to the cap, never inside a surrogate pair; an ellipsis says it was cut. */
function capped(value: string, maxChars = defaults.audit.maxTextChars): string {
  if (value.length <= maxChars) return value;
  const end = /[\uD800-\uDBFF]/.test(value[maxChars - 2] ?? '') ? maxChars - 2 : maxChars - 1;
  return `${value.slice(0, end)}…`;
}

/**
 * PostgreSQL's text holds no NUL character; a value from outside (an upstream's subject) could
 * carry one. Every column's text is capped: some come from outside (a connection id from a URL).
 */
const storable = (value: string | undefined): string | null => (value === undefined ? null : capped(value.replaceAll('\u0000', '')));

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');

/**
 * The part of a details value that fits in `budget` bytes of JSON, with every string capped:
 * an object keeps the keys that fit, in order, an array the leading elements that fit. Reports
 * through `cut` whether anything was left out or shortened.
 */
function fitted(value: unknown, budget: number, cut: { any: boolean }): { value: unknown } | undefined {
  if (typeof value === 'string') {
    const kept = capped(value);
    if (kept !== value) cut.any = true;
    return jsonBytes(kept) <= budget ? { value: kept } : undefined;
  }
  if (value === null || typeof value !== 'object') return jsonBytes(value) <= budget ? { value } : undefined;
  if (budget < 2) return undefined;
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    let left = budget - 2;
    for (const element of value) {
      const separator = kept.length > 0 ? 1 : 0;
      const child = fitted(element, left - separator, cut);
      if (!child) {
        cut.any = true;
        break;
      }
      kept.push(child.value);
      left -= separator + jsonBytes(child.value);
    }
    return { value: kept };
  }
  const kept: Record<string, unknown> = {};
  let left = budget - 2;
  for (const [key, element] of Object.entries(value)) {
    if (element === undefined) continue;
    const label = jsonBytes(capped(key)) + 1 + (Object.keys(kept).length > 0 ? 1 : 0);
    const child = left > label ? fitted(element, left - label, cut) : undefined;
    if (!child) {
      cut.any = true;
      continue;
    }
    kept[capped(key)] = child.value;
    left -= label + jsonBytes(child.value);
  }
  return { value: kept };
}

/** Room kept for `,"truncated":true`. */
const truncatedMark = Buffer.byteLength(',"truncated":true', 'utf8');

/**
 * The details as stored: every string capped and the whole at most `maxDetailsBytes` of JSON,
 * with `truncated: true` when anything was cut, so that no event, whatever reached it from
 * outside, makes a row (or the queue of rows waiting to be written) large.
 */
export function storableDetails(details: Record<string, unknown>, maxBytes = defaults.audit.maxDetailsBytes): string {
  const cut = { any: false };
  const whole = fitted(details, maxBytes, cut)!.value as Record<string, unknown>;
  if (!cut.any) return JSON.stringify(whole);
  const kept = fitted(details, maxBytes - truncatedMark, { any: false })!.value as Record<string, unknown>;
  return JSON.stringify({ ...kept, truncated: true });
}

/** The row an event is stored as, with the id and time it was given when it was recorded; the one place every event's text is capped. */
export function auditRow(event: AuditEvent, id: string, occurredAt: number): AuditEventRow {
  const actor = actorColumns(event.actor);
  return {
    id,
    occurred_at: occurredAt,
    type: event.type,
    outcome: auditEventTypes[event.type],
    reason: storable(event.reason),
    actor_kind: actor.actor_kind,
    actor_id: storable(actor.actor_id ?? undefined),
    user_id: storable(event.userId),
    client_id: storable(event.clientId),
    connection_id: storable(event.connectionId),
    client_address: storable(event.clientAddress),
    // Serialised now, so that whatever the caller changes later is not what gets stored.
    details: storableDetails(event.details ?? {}),
  };
}
