import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EmailOutboxSummary } from '../../db/queries/email-outbox.js';
import type { ApiContext } from '../management-api.js';
import { decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems } from '../problem.js';

const statuses = ['queued', 'sending', 'sent', 'failed'] as const;

const messageView = z.object({
  id: z.string(),
  recipient: z.string(),
  template: z.string().describe('Which message: test (gatehouse mail test), and those of the flows that send mail.'),
  locale: z.string().describe('The language it is written in.'),
  status: z.enum(statuses).describe('queued: waiting for its first try or a retry; sending: an instance is sending it; sent: the mail server accepted it; failed: given up after the last try.'),
  attempts: z.number().int().describe('Tries so far.'),
  last_error: z.string().nullable().describe('The last try\'s SMTP error (never a credential); null once sent.'),
  created_at: z.iso.datetime(),
  sent_at: z.iso.datetime().nullable(),
  next_attempt_at: z.iso.datetime().nullable().describe('A queued message: when it is tried next; null otherwise.'),
  user_id: z.string().nullable().describe('The account it is about, when there is one.'),
}).meta({ id: 'OutboxMessage' });

const listQuery = z.object({
  ...pageQuery,
  status: z.enum(statuses).optional().describe('Only messages in this state, e.g. failed.'),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function viewOf(row: EmailOutboxSummary): z.input<typeof messageView> {
  return {
    id: row.id,
    recipient: row.recipient,
    template: row.template,
    locale: row.locale,
    status: row.status,
    attempts: Number(row.attempts),
    last_error: row.last_error,
    created_at: new Date(Number(row.created_at)).toISOString(),
    sent_at: iso(row.sent_at),
    next_attempt_at: row.status === 'queued' ? iso(row.next_attempt_at) : null,
    user_id: row.user_id,
  };
}

/** The outbox (docs/email.md), read only: what was sent, what waits for a retry, what was given up, and why. Never a message's content. */
export async function emailOutboxRoutes(scope: FastifyInstance, { services }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get('/email/outbox', {
    schema: {
      tags: ['email'],
      summary: 'List the messages of the outbox, newest first',
      description: 'Sent and failed messages are kept 30 days (defaults.email.keepDays). A message\'s content and parameters (a link, a code) are never shown.',
      querystring: listQuery,
      response: { 200: pageOf(messageView), ...commonProblems },
    },
  }, async (request) => {
    const { limit, cursor, status } = request.query;
    const after = decodeCursor(cursor, z.tuple([z.number().int(), z.string()]));
    const rows = await services.email.outbox.list({ limit: limit + 1, ...(status ? { status } : {}), ...(after ? { after: { createdAt: after[0], id: after[1] } } : {}) });
    return pageFrom(rows, limit, (row) => [Number(row.created_at), row.id], viewOf);
  });
}
