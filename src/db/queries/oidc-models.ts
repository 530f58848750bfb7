import { sql } from 'kysely';
import type { Db, OidcModelTable } from '../database.js';

export type OidcModelRow = OidcModelTable;

/** Storage of oidc-provider models; every statement is scoped to one model name. */
export function createOidcModelQueries(db: Db) {
  return {
    upsert: async (row: OidcModelRow): Promise<void> => {
      await db
        .insertInto('oidc_models')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            user_code: row.user_code,
            uid: row.uid,
            account_id: row.account_id,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    },
    findBy: (model: string, column: 'id' | 'uid' | 'user_code', value: string, now: number) =>
      db
        .selectFrom('oidc_models')
        .select(['payload', 'consumed_at'])
        .where('model', '=', model)
        .where(column, '=', value)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst(),
    /** Marks a row consumed only if it was not already: the atomic single use of codes and refresh tokens. */
    consume: async (model: string, id: string, now: number): Promise<boolean> => {
      const result = await db
        .updateTable('oidc_models')
        .set({ consumed_at: now })
        .where('model', '=', model)
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    grantIdOf: async (model: string, id: string): Promise<string | null> =>
      (await db.selectFrom('oidc_models').select('grant_id').where('model', '=', model).where('id', '=', id).executeTakeFirst())?.grant_id ?? null,
    destroy: async (model: string, id: string): Promise<void> => {
      await db.deleteFrom('oidc_models').where('model', '=', model).where('id', '=', id).execute();
    },
    revokeByGrantId: async (model: string, grantId: string): Promise<void> => {
      await db.deleteFrom('oidc_models').where('model', '=', model).where('grant_id', '=', grantId).execute();
    },
    /** Removes a grant and everything issued from it, in every model. */
    revokeGrant: async (grantId: string): Promise<void> => {
      await db
        .deleteFrom('oidc_models')
        .where((eb) => eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]))
        .execute();
    },
    /** A user's rows of these models that have not expired. */
    listOfAccount: (accountId: string, models: readonly string[], now: number) =>
      db
        .selectFrom('oidc_models')
        .select(['model', 'id', 'uid', 'payload', 'expires_at'])
        .where('account_id', '=', accountId)
        .where('model', 'in', models)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .execute(),
    /**
     * Removes what an application holds (its grants, codes and tokens), so that a new application
     * under the same client_id gets none of them. The payload's JSON text narrows the rows (LIKE
     * ignores case on SQLite); each is confirmed on its parsed clientId before it goes.
     */
    revokeClient: async (clientId: string, models: readonly string[]): Promise<number> => {
      const pattern = `%${JSON.stringify({ clientId }).slice(1, -1).replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      const candidates = await db
        .selectFrom('oidc_models')
        .select(['model', 'id', 'payload'])
        .where('model', 'in', models)
        .where(sql<boolean>`${sql.ref('payload')} like ${pattern} escape '\\'`)
        .execute();
      const owned = candidates.filter((row) => (JSON.parse(row.payload) as { clientId?: unknown }).clientId === clientId);
      for (const row of owned) await db.deleteFrom('oidc_models').where('model', '=', row.model).where('id', '=', row.id).execute();
      return owned.length;
    },
    /** Ends everything a user holds: sessions, grants, codes and tokens. */
    revokeAccount: async (accountId: string): Promise<void> => {
      await db.deleteFrom('oidc_models').where('account_id', '=', accountId).execute();
    },
    deleteExpired: async (now: number): Promise<number> => {
      const result = await db.deleteFrom('oidc_models').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
