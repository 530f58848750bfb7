import type { Db, WebauthnChallengeTable } from '../database.js';

export type WebauthnChallengeRow = WebauthnChallengeTable;

export type ChallengePurpose = 'registration' | 'authentication';

/** What a response claims to answer: its challenge, for what, where, and when it arrived. */
export interface ChallengeToConsume {
  challenge: string;
  purpose: ChallengePurpose;
  boundTo: string;
  now: number;
}

/**
 * WebAuthn challenges. Consuming one is a single DELETE that names the challenge, its purpose
 * and what it is bound to and requires it unexpired: of two responses racing with one challenge,
 * on any instance, exactly one deletes the row, and a challenge made for another interaction or
 * ceremony deletes nothing.
 */
export function createWebauthnChallengeQueries(db: Db) {
  return {
    insert: async (row: WebauthnChallengeRow): Promise<void> => {
      await db.insertInto('webauthn_challenges').values(row).execute();
    },
    /** The row the challenge was, when this call used it up; undefined when it was unknown, used, elsewhere bound or expired. */
    consume: ({ challenge, purpose, boundTo, now }: ChallengeToConsume): Promise<WebauthnChallengeRow | undefined> =>
      db
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .where('purpose', '=', purpose)
        .where('bound_to', '=', boundTo)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst(),
    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
