import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, EmailStatus } from '../db/database.js';
import { createEmailOutboxQueries, type EmailOutboxSummary, type OutboxCursor } from '../db/queries/email-outbox.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Clock } from '../runtime/clock.js';
import type { IdGenerator } from '../runtime/ids.js';
import type { EmailSettingsService } from './email-settings.js';
import { emailTemplates, type EmailParams, type EmailTemplateName } from './templates/templates.js';

/** A message to send: to whom, which template in which language, with what in it, about which account. */
export interface QueuedEmail<Name extends EmailTemplateName = EmailTemplateName> {
  to: string;
  template: Name;
  /** BCP 47, e.g. `zh-CN`: the request's language, else the account's (docs/email.md). */
  locale: string;
  params: EmailParams<Name>;
  userId?: string;
}

const recipient = z.email().max(320);
/** A BCP 47 tag as far as a column needs: letters, digits and dashes. */
const localeTag = z.string().min(2).max(35).regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/);

/** The context a message's parameters are sealed with: its own id, so they cannot be moved to another row. */
export const paramsContext = (id: string) => `email_outbox:${id}`;

/**
 * The persistent outbox: `queue` stores a message for the sender (outbox-sender.ts), in the
 * caller's transaction when there is one, so that a message exists exactly when what it
 * announces does. Its parameters (a reset link is a secret) are sealed with the master secret.
 */
export function createOutbox({ db, box, clock, ids, settings }: { db: Db; box: SecretBox; clock: Clock; ids: IdGenerator; settings: EmailSettingsService }) {
  const outbox = createEmailOutboxQueries(db);
  return {
    /**
     * Queues a message; it is sent within seconds by whichever instance claims it first. Refused
     * with `email_not_configured` while there are no SMTP settings: nothing pretends to send.
     */
    async queue<Name extends EmailTemplateName>(message: QueuedEmail<Name>): Promise<{ id: string }> {
      if ((await settings.get()).smtp === null) {
        throw new GatehouseError('email_not_configured', 'Email is not configured: set the email: section of the configuration file or PUT /api/v1/settings/email (docs/email.md).');
      }
      const to = recipient.safeParse(message.to);
      if (!to.success) throw new GatehouseError('invalid_request', 'The recipient is not an email address', { details: [{ path: 'to', message: 'is not an email address' }] });
      const template = emailTemplates[message.template];
      if (!template) throw new GatehouseError('invalid_request', `No email template "${String(message.template)}"`);
      // Checked now rather than when sent: a mistake shows at the caller, not hours later in the outbox.
      const params = template.params.parse(message.params);
      const locale = localeTag.safeParse(message.locale).success ? message.locale : 'en';
      const id = ids();
      const now = clock.now();
      await outbox.insert({
        id, recipient: to.data, template: message.template, locale, params_sealed: box.seal(JSON.stringify(params), paramsContext(id)),
        status: 'queued', attempts: 0, next_attempt_at: now, last_error: null, claimed_by: null, claimed_until: null, created_at: now, sent_at: null,
        user_id: message.userId ?? null,
      });
      return { id };
    },

    /** A page of messages for administrators, newest first: never their parameters. */
    list: (page: { after?: OutboxCursor; limit: number; status?: EmailStatus }): Promise<EmailOutboxSummary[]> => outbox.list(page),

    /** One message's state, for administrators: never its parameters. */
    async find(id: string): Promise<EmailOutboxSummary | undefined> {
      const row = await outbox.find(id);
      if (!row) return undefined;
      const { params_sealed: _params, claimed_by: _by, claimed_until: _until, ...summary } = row;
      return summary;
    },
  };
}
