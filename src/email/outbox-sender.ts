import { defaults } from '../config/defaults.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, EmailStatus } from '../db/database.js';
import { createEmailOutboxQueries, type EmailOutboxRow } from '../db/queries/email-outbox.js';
import type { Clock } from '../runtime/clock.js';
import type { EmailSettingsService, SmtpCredentials } from './email-settings.js';
import { paramsContext } from './outbox.js';
import { describeSendError, isConnectionError, smtpTransport, type MailTransport } from './smtp-transport.js';
import { isEmailTemplateName, renderEmail } from './templates/templates.js';

/** What became of one message after a send: sent, queued again for a retry (when), or given up. */
export type SendOutcome =
  | { status: 'sent' }
  | { status: 'queued'; error: string; nextAttemptAt: number }
  | { status: 'failed'; error: string };

/** What one run of the sender did; `lost`: sends whose claim had run out before they settled (another instance may send those again). */
export interface SendReport {
  sent: number;
  retried: number;
  failed: number;
  lost: number;
}

export interface OutboxSenderDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  settings: EmailSettingsService;
  /** This instance's name in the claims it takes: unique per process. */
  claimant: string;
  /** How a run reaches the mail server; SMTP with the stored settings unless a test says otherwise. */
  transportFor?: (credentials: SmtpCredentials) => MailTransport;
}

/** The wait before the next try after `attempts` tries: 30 s, doubling, at most an hour (defaults.email). */
export function retryDelayMilliseconds(attempts: number): number {
  const { retryFirstSeconds, retryMaxSeconds } = defaults.email;
  return Math.min(retryFirstSeconds * 2 ** Math.max(0, attempts - 1), retryMaxSeconds) * 1000;
}

/** What a message that cannot be rendered keeps as its error: fixed, since a parser's text may quote the opened parameters. */
const unrenderable = 'cannot be rendered: its parameters do not fit the template';

/** The error a send cut off by its deadline keeps; ETIMEDOUT, a connection-level failure, ends the batch. */
const deadlineError = () => Object.assign(new Error(`no answer from the mail server within ${defaults.email.sendDeadlineSeconds} s`), { code: 'ETIMEDOUT' });

/**
 * Runs `send` with an overall deadline (the SMTP timeouts are per step, and a server trickling
 * bytes never trips them): past it the signal aborts, which drops the connection, and the send
 * counts as failed whether or not the transport heeds the signal.
 */
async function withinDeadline(send: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(deadlineError());
    }, defaults.email.sendDeadlineSeconds * 1000);
  });
  try {
    await Promise.race([send(controller.signal), expired]);
  } catch (error) {
    throw controller.signal.aborted ? deadlineError() : error;
  } finally {
    clearTimeout(timer);
  }
}

/** One send's result: its outcome, whether the claim was still ours when it settled, and whether the server is out of reach. */
interface Settled {
  outcome: SendOutcome;
  lost: boolean;
  unreachable: boolean;
}

/**
 * Sends what the outbox holds. Every instance runs it (an interval, and on demand); a message is
 * claimed with one conditional update before it is sent, so exactly one instance sends it, and
 * a claim left by an instance that stopped runs out and is taken over. A failure queues the
 * message again after a growing wait, until defaults.email.maxAttempts tries; nothing is lost
 * by a restart, since a message leaves the table's `queued` and `sending` only once settled.
 * Over the top-level database handle only: a claim taken inside a transaction would be seen by
 * no other instance, and an SMTP conversation would hold the transaction open.
 */
export function createOutboxSender({ db, box, clock, settings, claimant, transportFor = smtpTransport }: OutboxSenderDeps) {
  const outbox = createEmailOutboxQueries(db);
  // Runs of this process one after the other: a send asked for while the interval's run is under way waits for it and then looks again.
  let previous: Promise<unknown> = Promise.resolve();
  // Set by stop(): a run under way finishes the send it is in and claims nothing more.
  let stopping = false;

  /** Sends one claimed message and settles it. */
  async function sendClaimed(row: EmailOutboxRow, connection: { credentials: SmtpCredentials | null; transport: () => MailTransport | null }): Promise<Settled> {
    const now = () => clock.now();
    const settle = async (changes: Parameters<typeof outbox.settle>[2], outcome: SendOutcome, unreachable = false): Promise<Settled> => {
      const lost = !(await outbox.settle(row.id, claimant, changes));
      return { outcome, lost, unreachable };
    };
    const giveUp = (error: string): Promise<Settled> => settle({ status: 'failed', last_error: error, params_sealed: null }, { status: 'failed', error });
    // A claim counts a try; past the limit it is a try cut short (its instance stopped mid-send) and none is left.
    if (row.attempts > defaults.email.maxAttempts) return giveUp(row.last_error ?? 'given up: the last try was cut short');
    if (!isEmailTemplateName(row.template) || row.params_sealed === null) return giveUp(`no template "${row.template}" in this version, or no parameters`);
    let content;
    try {
      content = renderEmail(row.template, row.locale, JSON.parse(box.open(row.params_sealed, paramsContext(row.id))));
    } catch {
      // A message that cannot be rendered now never will be: retrying would only repeat it.
      return giveUp(unrenderable);
    }
    const transport = connection.transport();
    let error: string;
    let unreachable = false;
    if (transport === null) {
      error = 'email is not configured (no SMTP settings)';
    } else {
      try {
        await withinDeadline((signal) => transport.send({ to: row.recipient, content }, signal));
        // Once sent, the parameters (a link, a code) are no longer needed: they do not outlive the message.
        return await settle({ status: 'sent', sent_at: now(), last_error: null, params_sealed: null }, { status: 'sent' });
      } catch (failure) {
        error = describeSendError(failure, connection.credentials);
        unreachable = isConnectionError(failure);
      }
    }
    if (row.attempts >= defaults.email.maxAttempts) return { ...(await giveUp(error)), unreachable };
    const nextAttemptAt = now() + retryDelayMilliseconds(row.attempts);
    return settle({ status: 'queued', next_attempt_at: nextAttemptAt, last_error: error }, { status: 'queued', error, nextAttemptAt }, unreachable);
  }

  /** The settings read once per run, and a transport opened only when a message needs it. */
  async function openConnection() {
    const credentials = await settings.credentials();
    let transport: MailTransport | null | undefined;
    return {
      credentials,
      transport: () => (transport ??= credentials ? transportFor(credentials) : null),
      close: () => transport?.close(),
    };
  }

  function serially<T>(work: () => Promise<T>): Promise<T> {
    const run = previous.then(work, work);
    previous = run.catch(() => {});
    return run;
  }

  return {
    /**
     * Claims and sends the messages due now (a batch at most), one at a time; what it did. The
     * batch ends early when the mail server cannot be reached (the rest would only meet the
     * same) and when stop() was called.
     */
    sendDue: (): Promise<SendReport> => serially(async () => {
      const report: SendReport = { sent: 0, retried: 0, failed: 0, lost: 0 };
      const { email } = defaults;
      if (stopping) return report;
      const candidates = await outbox.dueIds(clock.now(), email.batchSize);
      if (candidates.length === 0) return report;
      const connection = await openConnection();
      try {
        for (const id of candidates) {
          if (stopping) break;
          const now = clock.now();
          const row = await outbox.claim(id, claimant, now, now + email.claimSeconds * 1000);
          if (!row) continue;
          const { outcome, lost, unreachable } = await sendClaimed(row, connection);
          const counted: Record<EmailStatus, keyof SendReport | undefined> = { sent: 'sent', queued: 'retried', failed: 'failed', sending: undefined };
          const key = counted[outcome.status];
          if (key) report[key] += 1;
          if (lost) report.lost += 1;
          if (unreachable) break;
        }
      } finally {
        connection.close();
      }
      return report;
    }),

    /**
     * Sends one message now, whatever its next try says (`gatehouse mail test`): its outcome, or
     * undefined when it is not this instance's to send (sent, given up, or another instance's claim).
     */
    deliver: (id: string): Promise<SendOutcome | undefined> => serially(async () => {
      // A message waiting for its retry is brought forward too; one being sent or settled is left alone.
      const row = await outbox.claimQueued(id, claimant, clock.now() + defaults.email.claimSeconds * 1000);
      if (!row) return undefined;
      const connection = await openConnection();
      try {
        return (await sendClaimed(row, connection)).outcome;
      } finally {
        connection.close();
      }
    }),

    /** Claims nothing more; resolves once the run under way (at most its current send) has settled. */
    stop: async (): Promise<void> => {
      stopping = true;
      await previous;
    },
  };
}

export type OutboxSender = ReturnType<typeof createOutboxSender>;
