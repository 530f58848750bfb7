import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditEventTypes, type AuditEventType } from '../../audit/audit-event-types.js';
import { defaults } from '../../config/defaults.js';
import { createAuditEventQueries, type AuditEventRow } from '../../db/queries/audit-events.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ApiContext } from '../management-api.js';
import { decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems } from '../problem.js';

const typeNames = Object.keys(auditEventTypes) as [AuditEventType, ...AuditEventType[]];
const eventType = z.enum(typeNames, { error: 'is not an audit event type (docs/audit.md lists them)' });

/** A stored column is capped at this many characters, so no longer value can match one. */
const idFilter = (what: string) => z.string().min(1).max(defaults.audit.maxTextChars).optional().describe(`Only events about this ${what}.`);

const dateTime = (description: string) => z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time with seconds and a time zone, e.g. 2026-12-07T09:30:00Z' })
  .optional().describe(description);

const listQuery = z.object({
  ...pageQuery,
  type: z.array(eventType).min(1).max(typeNames.length).optional()
    .describe('Only events of these types: repeat the parameter for several (`type=sign_in.failed&type=management.refused`).'),
  user_id: idFilter('user (its id)'),
  client_id: idFilter('application (its client_id)'),
  connection_id: idFilter('connection (its id)'),
  outcome: z.enum(['success', 'failure']).optional().describe('Only successes, or only failures.'),
  from: dateTime('Only events that occurred at or after this time.'),
  to: dateTime('Only events that occurred before this time (exclusive): `from` and `to` make a half-open range.'),
});

const eventView = z.object({
  id: z.string(),
  occurred_at: z.iso.datetime().describe('When Gatehouse saw it happen (UTC, millisecond precision).'),
  type: z.string().describe('One of the event types of docs/audit.md.'),
  outcome: z.enum(['success', 'failure']),
  reason: z.string().nullable().describe('A failure\'s stable reason, or what revoked a grant or ended a session.'),
  actor: z.object({
    kind: z.string().describe('`user`, `client`, `anonymous`, `config_file`, `cli`, `api` or `system`.'),
    id: z.string().nullable().describe('The user\'s id, the client_id, the file, the command, `client:<client_id>` or `user:<id>` for an API caller, or why for Gatehouse itself; null for anonymous.'),
  }),
  user_id: z.string().nullable(),
  client_id: z.string().nullable(),
  connection_id: z.string().nullable(),
  client_address: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).describe('The event\'s non-secret fields, per type; a management change\'s `before` and `after`.'),
}).meta({ id: 'AuditEvent' });

function viewOf(row: AuditEventRow): z.input<typeof eventView> {
  return {
    id: row.id,
    occurred_at: new Date(row.occurred_at).toISOString(),
    type: row.type,
    outcome: row.outcome,
    reason: row.reason,
    actor: { kind: row.actor_kind, id: row.actor_id },
    user_id: row.user_id,
    client_id: row.client_id,
    connection_id: row.connection_id,
    client_address: row.client_address,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** The audit log (docs/audit.md), read only: events are added by what they record and removed by the retention sweep. */
export async function auditEventsRoutes(scope: FastifyInstance, { services }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const events = createAuditEventQueries(services.deps.db);

  app.get('/audit-events', {
    schema: {
      tags: ['audit-events'],
      summary: 'List audit events, newest first',
      description: 'Filters combine. Pages continue after the last event shown, by (occurred_at, id): events written meanwhile never repeat or push one out of a later page. An event is listed once written: up to a fifth of a second after it occurred, later while the database cannot be written.',
      querystring: listQuery,
      response: { 200: pageOf(eventView), ...commonProblems },
    },
    // A query string names one type as `type=x` and several as `type=x&type=y`: one is a list of one.
    preValidation: async (request) => {
      const query = request.query as Record<string, unknown>;
      if (typeof query.type === 'string') query.type = [query.type];
    },
  }, async (request) => {
    const { limit, cursor, type, user_id: userId, client_id: clientId, connection_id: connectionId, outcome, from, to } = request.query;
    const fromMs = from === undefined ? undefined : Date.parse(from);
    const toMs = to === undefined ? undefined : Date.parse(to);
    if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) {
      throw new GatehouseError('invalid_request', 'The request is invalid: querystring.to: must be later than from', {
        details: [{ path: 'querystring.to', message: 'must be later than from' }],
      });
    }
    const after = decodeCursor(cursor, z.tuple([z.number().int(), z.string()]));
    const rows = await events.list(
      { types: type, userId, clientId, connectionId, outcome, from: fromMs, to: toMs },
      { order: 'newest_first', after: after && { occurredAt: after[0], id: after[1] }, limit: limit + 1 },
    );
    return pageFrom(rows, limit, (row) => [row.occurred_at, row.id], viewOf);
  });
}
