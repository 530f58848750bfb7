import type { Db, SignInDetourTable } from '../database.js';

export type SignInDetourRow = SignInDetourTable;

export type NewDetourRow = Omit<SignInDetourRow, 'returned_at' | 'completed_at' | 'identity_issuer' | 'identity_subject' | 'identity_claims' | 'upstream_id_token' | 'return_ticket_hash'>;

/** The identity the callback proved; the claims and the id_token sealed by the caller (detours.ts). */
export interface ProvedIdentityColumns {
  identity_issuer: string;
  identity_subject: string;
  identity_claims: string;
  /** An upstream's id_token; a partner's sign-in has none. */
  upstream_id_token: string | null;
  /** A partner's return's ticket, hashed; an upstream's return has none. */
  return_ticket_hash: string | null;
}

/**
 * Sign-in detours. Each of the two returns (the upstream's callback, the hop back under the
 * interaction) is taken once, by a conditional UPDATE as consume() of codes: of two requests
 * racing with one state, on any instance, exactly one sees its row updated.
 */
export function createSignInDetourQueries(db: Db) {
  /** Sets `column` (and the expiry, if given), only if the return was not taken yet, the detour is unexpired and, for the hop back, proved. */
  async function takeOnce(stateHash: string, now: number, column: 'returned_at' | 'completed_at', keepUntil?: number): Promise<boolean> {
    let update = db
      .updateTable('sign_in_detours')
      .set(column === 'returned_at' ? { returned_at: now } : { completed_at: now, ...(keepUntil === undefined ? {} : { expires_at: keepUntil }) })
      .where('state_hash', '=', stateHash)
      .where(column, 'is', null)
      .where('expires_at', '>', now);
    if (column === 'completed_at') update = update.where('identity_subject', 'is not', null);
    return (await update.executeTakeFirst()).numUpdatedRows > 0n;
  }

  return {
    insert: async (row: NewDetourRow): Promise<void> => {
      await db.insertInto('sign_in_detours').values({ ...row, returned_at: null, completed_at: null, return_ticket_hash: null }).execute();
    },
    find: (stateHash: string): Promise<SignInDetourRow | undefined> =>
      db.selectFrom('sign_in_detours').selectAll().where('state_hash', '=', stateHash).executeTakeFirst(),
    /** Marks the callback taken, only if it was not and the detour is unexpired. */
    markReturned: (stateHash: string, now: number): Promise<boolean> => takeOnce(stateHash, now, 'returned_at'),
    recordIdentity: async (stateHash: string, identity: ProvedIdentityColumns): Promise<void> => {
      await db.updateTable('sign_in_detours').set(identity).where('state_hash', '=', stateHash).execute();
    },
    /**
     * Marks the hop back taken, only if it was not, the identity is there and the detour is
     * unexpired; the row is then kept until `keepUntil` (completedFor).
     */
    markCompleted: (stateHash: string, now: number, keepUntil: number): Promise<boolean> =>
      takeOnce(stateHash, now, 'completed_at', keepUntil),
    /** Whether this interaction has been away before (the `connection=` shortcut is taken once). */
    anyFor: async (interactionUid: string): Promise<boolean> =>
      (await db.selectFrom('sign_in_detours').select('state_hash').where('interaction_uid', '=', interactionUid).executeTakeFirst()) !== undefined,
    /** The detour that finished this interaction's sign-in, if one did (and is not swept yet). */
    completedFor: (interactionUid: string): Promise<SignInDetourRow | undefined> =>
      db.selectFrom('sign_in_detours').selectAll()
        .where('interaction_uid', '=', interactionUid)
        .where('completed_at', 'is not', null)
        .orderBy('completed_at', 'desc')
        .executeTakeFirst(),
    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('sign_in_detours').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
