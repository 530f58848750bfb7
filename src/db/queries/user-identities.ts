import type { Db, UserIdentityTable } from '../database.js';

export type UserIdentityRow = UserIdentityTable;

/** An identity at another issuer: who an upstream identity provider or partner says the user is. */
export interface IdentityKey {
  issuer: string;
  subject: string;
}

/**
 * External identities linked to users. The primary key (issuer, subject) keeps an identity on
 * one user, and a unique index (issuer, user_id) gives a user one identity per issuer: a link is
 * an insert that does nothing when either is taken, so concurrent links, on any instance, leave
 * one row.
 */
export function createUserIdentityQueries(db: Db) {
  return {
    /** False when the identity is linked already, to this user or to another, or the user has another identity at the issuer. */
    link: async (row: UserIdentityRow): Promise<boolean> => {
      const result = await db
        .insertInto('user_identities')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    findUserId: async ({ issuer, subject }: IdentityKey): Promise<string | undefined> =>
      (await db.selectFrom('user_identities').select('user_id').where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst())?.user_id,
    listByUser: (userId: string): Promise<UserIdentityRow[]> =>
      db.selectFrom('user_identities').selectAll().where('user_id', '=', userId).orderBy('issuer').orderBy('subject').execute(),
    /** Removes the link only if it belongs to this user; false when it does not exist or belongs to another. */
    unlink: async (userId: string, { issuer, subject }: IdentityKey): Promise<boolean> => {
      const result = await db
        .deleteFrom('user_identities')
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
