import { setTimeout as sleep } from 'node:timers/promises';
import { defaults } from '../../config/defaults.js';
import type { EmailServices } from '../../email/email-services.js';
import type { SendOutcome } from '../../email/outbox-sender.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Clock } from '../../runtime/clock.js';
import type { Command } from './command.js';

/** How to configure email, for an installation without SMTP settings. */
const howToConfigure = 'email is not configured: add an email: section (host, port, tls, user, password, from) to the configuration file and restart, '
  + 'or PUT /api/v1/settings/email; see docs/email.md';

export const mailTest: Command = {
  words: ['mail', 'test'],
  arguments: ['<address>'],
  argumentHelp: { '<address>': 'where to send the test message' },
  summary: 'send a test message through the outbox with the SMTP settings, and say whether the mail server accepted it',
  details: 'The message is queued in the outbox like any other and sent at once by this command, which waits for the outcome: '
    + '"sent" once the mail server accepted it (exit status 0), or the mail server\'s error (exit status 1; the message stays '
    + 'in the outbox and is retried as any other, GET /api/v1/email/outbox shows it). Without SMTP settings nothing is queued, '
    + 'and the command says how to set them. Accepted is not delivered: if the message does not arrive, look at the mail '
    + 'server\'s log and the sender domain\'s SPF, DKIM and DMARC (docs/email.md). When a running server claimed the message '
    + 'first, the command waits for that outcome, and after a while says there is none yet (exit status 1).',
  examples: ['gatehouse mail test alice@example.com'],
  async run([address], context, io) {
    const { email } = context.services;
    const settings = (await email.settings.get()).smtp;
    if (!settings) throw new GatehouseError('email_not_configured', howToConfigure);
    const product = (await context.services.branding.get()).productName;
    const { id } = await email.queue({ to: address!, template: 'test', locale: 'en', params: { product, origin: context.publicUrl.origin } });
    io.stdout.write(`queued ${id}: sending to ${address} through ${settings.host}:${settings.port} (${settings.tls})\n`);
    const sender = email.sender!; // the command's services are over the top-level handle
    const outcome = (await sender.deliver(id)) ?? (await waitForOthers(email, context.services.deps.clock, id));
    if (outcome.status === 'sent') {
      io.stdout.write(`sent: the mail server accepted the message for ${address}\n`);
      return;
    }
    const then = outcome.status === 'queued' ? `; it stays in the outbox and is tried again at ${new Date(outcome.nextAttemptAt).toISOString()}` : '; it was given up';
    throw new GatehouseError('email_delivery_failed', `not sent: ${outcome.error}${then}`);
  },
};

/** A running server claimed the message first: its outcome, read back from the outbox. */
async function waitForOthers(email: EmailServices, clock: Clock, id: string): Promise<SendOutcome> {
  const deadline = clock.now() + defaults.email.testWaitSeconds * 1000;
  for (;;) {
    const row = await email.outbox.find(id);
    if (!row) return { status: 'failed', error: 'the message is no longer in the outbox' };
    if (row.status === 'sent') return { status: 'sent' };
    if (row.status === 'failed') return { status: 'failed', error: row.last_error ?? 'given up' };
    if (row.status === 'queued' && row.last_error !== null) return { status: 'queued', error: row.last_error, nextAttemptAt: Number(row.next_attempt_at) };
    if (clock.now() > deadline) {
      // Not a delivery failure: nobody knows yet whether it is sent, only that another instance holds the message.
      throw new GatehouseError('conflict', `no outcome yet after ${defaults.email.testWaitSeconds} s: another Gatehouse instance is still sending the message; GET /api/v1/email/outbox shows what becomes of it`);
    }
    await sleep(defaults.email.testPollMilliseconds);
  }
}
