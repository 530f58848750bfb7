import type { ChangeLog } from '../audit/change-log.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../runtime/clock.js';
import type { IdGenerator } from '../runtime/ids.js';
import { createEmailSettingsService } from './email-settings.js';
import { createOutbox, type QueuedEmail } from './outbox.js';
import { createOutboxSender, type OutboxSender } from './outbox-sender.js';
import type { EmailTemplateName } from './templates/templates.js';

export interface EmailServiceDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  ids: IdGenerator;
  changes: ChangeLog;
  /** This process's name in the outbox's claims. */
  claimant: string;
}

export type EmailServices = ReturnType<typeof createEmailServices>;

/**
 * Email delivery over one database handle (a transaction's too): the SMTP settings, and the
 * outbox that flows queue their messages in. Its sender (which the server runs on an interval and
 * `gatehouse mail test` on demand) is there over the top-level handle only: null over a
 * transaction's, whose claims no other instance would see and whose SMTP conversation would hold
 * the transaction open.
 */
export function createEmailServices({ db, box, clock, ids, changes, claimant }: EmailServiceDeps) {
  const settings = createEmailSettingsService({ db, box, clock, changes });
  const outbox = createOutbox({ db, box, clock, ids, settings });
  const sender: OutboxSender | null = db.isTransaction ? null : createOutboxSender({ db, box, clock, settings, claimant });
  return {
    settings,
    /** Queues a message (docs/email.md); refused with `email_not_configured` while there are no SMTP settings. */
    queue: <Name extends EmailTemplateName>(message: QueuedEmail<Name>) => outbox.queue(message),
    /** What administrators see of the outbox (never a message's parameters). */
    outbox: { list: outbox.list, find: outbox.find },
    /** Sends what is due (`sendDue`), one message now (`deliver`), and stops (`stop`); null over a transaction's handle. */
    sender,
  };
}
