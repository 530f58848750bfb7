import type { ExpressionBuilder } from 'kysely';
import type { Database, Db, EmailOutboxTable, EmailStatus } from '../database.js';

export type EmailOutboxRow = EmailOutboxTable;

/** What administrators see of a message: everything but its parameters and its claim. */
export type EmailOutboxSummary = Omit<EmailOutboxTable, 'params_sealed' | 'claimed_by' | 'claimed_until'>;

const summaryColumns = ['id', 'recipient', 'template', 'locale', 'status', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'sent_at', 'user_id'] as const;

/** Where a page ends: the last message shown (newest first). */
export interface OutboxCursor {
  createdAt: number;
  id: string;
}

/**
 * The outbox's table. A message moves queued → sending → sent, or back to queued for a retry,
 * or to failed; each move out of `sending` names the claim it ends, so that an instance whose
 * claim expired (and was taken over) cannot overwrite what the next one did.
 */
export function createEmailOutboxQueries(db: Db) {
  /** Due now: queued and its time has come, or sending under a claim that has run out (its instance stopped or stalled). */
  const due = (now: number) => (eb: ExpressionBuilder<Database, 'email_outbox'>) => eb.or([
    eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
    eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', now)]),
  ]);

  return {
    insert: async (row: EmailOutboxRow): Promise<void> => {
      await db.insertInto('email_outbox').values(row).execute();
    },

    find: (id: string): Promise<EmailOutboxRow | undefined> => db.selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirst(),

    /** Ids of messages due now, oldest first; only candidates: `claim` decides. */
    dueIds: async (now: number, limit: number): Promise<string[]> =>
      (await db.selectFrom('email_outbox').select('id').where(due(now)).orderBy('next_attempt_at').orderBy('id').limit(limit).execute()).map((row) => row.id),

    /**
     * Claims one message for `claimant` until `until` when it is still due: one conditional
     * update, so of two instances racing for it exactly one sees a row changed. The attempt is
     * counted here, so that a send cut short by a crash still counts towards the limit.
     */
    claim: async (id: string, claimant: string, now: number, until: number): Promise<EmailOutboxRow | undefined> => {
      const result = await db.updateTable('email_outbox')
        .set((eb) => ({ status: 'sending' as EmailStatus, claimed_by: claimant, claimed_until: until, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id).where(due(now)).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      return db.selectFrom('email_outbox').selectAll().where('id', '=', id).where('claimed_by', '=', claimant).executeTakeFirst();
    },

    /** Claims one queued message whatever its next try says (a test send asked for now); undefined when it is not queued. */
    claimQueued: async (id: string, claimant: string, until: number): Promise<EmailOutboxRow | undefined> => {
      const result = await db.updateTable('email_outbox')
        .set((eb) => ({ status: 'sending' as EmailStatus, claimed_by: claimant, claimed_until: until, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id).where('status', '=', 'queued').executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      return db.selectFrom('email_outbox').selectAll().where('id', '=', id).where('claimed_by', '=', claimant).executeTakeFirst();
    },

    /** Ends a claim; false when the claim was no longer this instance's. */
    settle: async (id: string, claimant: string, changes: Partial<Pick<EmailOutboxRow, 'status' | 'next_attempt_at' | 'last_error' | 'sent_at' | 'params_sealed'>>): Promise<boolean> => {
      const result = await db.updateTable('email_outbox').set({ ...changes, claimed_by: null, claimed_until: null })
        .where('id', '=', id).where('status', '=', 'sending').where('claimed_by', '=', claimant).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** A page of messages, newest first, after the cursor when one is given. */
    list: ({ after, limit, status }: { after?: OutboxCursor; limit: number; status?: EmailStatus }): Promise<EmailOutboxSummary[]> => {
      let query = db.selectFrom('email_outbox').select(summaryColumns);
      if (status !== undefined) query = query.where('status', '=', status);
      if (after) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    /** Removes sent and failed messages created before `cutoff`; the number removed. */
    prune: async (cutoff: number): Promise<number> => {
      const result = await db.deleteFrom('email_outbox').where('status', 'in', ['sent', 'failed']).where('created_at', '<', cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
