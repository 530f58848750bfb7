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

/** PostgreSQL's text holds no NUL character; a value from outside (an upstream's subject) could carry one. */
const storable = (value: string | undefined): string | null => (value === undefined ? null : value.replaceAll('\u0000', ''));

/** The row an event is stored as, with the id and time it was given when it was recorded. */
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
    details: JSON.stringify(event.details ?? {}),
  };
}
