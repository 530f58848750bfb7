import type { AccountTokenPurpose, AccountTokenTable, Db } from '../database.js';

export type AccountTokenRow = AccountTokenTable;

/**
 * The single-use links sent by email, by the SHA-256 of their token. Redeeming one is a single
 * DELETE ... RETURNING of an unexpired row: of two redemptions at once, on any instance, exactly
 * one gets the row and the other finds nothing. A user has at most one token per purpose.
 */
export function createAccountTokenQueries(db: Db) {
  return {
    /**
     * Stores a new token in place of the user's earlier one of the same purpose, in one statement:
     * with the unique (user_id, purpose) index, of two issued at once (on any instance) only the
     * later write's token stays valid.
     */
    replace: async (row: AccountTokenRow): Promise<void> => {
      const { user_id: _user, purpose: _purpose, ...renewed } = row;
      await db.insertInto('account_tokens').values(row)
        .onConflict((conflict) => conflict.columns(['user_id', 'purpose']).doUpdateSet(renewed))
        .execute();
    },

    /** The token's row while it is unexpired and unused, without using it (a form shown before it is submitted). */
    find: (tokenHash: string, purpose: AccountTokenPurpose, now: number): Promise<AccountTokenRow | undefined> =>
      db.selectFrom('account_tokens').selectAll()
        .where('token_hash', '=', tokenHash).where('purpose', '=', purpose).where('expires_at', '>', now)
        .executeTakeFirst(),

    /** Uses the token up: its row when it was unexpired and unused, undefined for everyone else. */
    redeem: (tokenHash: string, purpose: AccountTokenPurpose, now: number): Promise<AccountTokenRow | undefined> =>
      db.deleteFrom('account_tokens')
        .where('token_hash', '=', tokenHash).where('purpose', '=', purpose).where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst(),

    /** Voids the user's unused tokens of a purpose. */
    removeOf: async (userId: string, purpose: AccountTokenPurpose): Promise<void> => {
      await db.deleteFrom('account_tokens').where('user_id', '=', userId).where('purpose', '=', purpose).execute();
    },

    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('account_tokens').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type AccountTokenQueries = ReturnType<typeof createAccountTokenQueries>;
