import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/** The oidc_models indexes on columns that many rows leave empty, and what they index. */
const indexes = [
  { name: 'oidc_models_grant_id', columns: ['grant_id'], column: 'grant_id' },
  { name: 'oidc_models_uid', columns: ['model', 'uid'], column: 'uid' },
  { name: 'oidc_models_user_code', columns: ['model', 'user_code'], column: 'user_code' },
  { name: 'oidc_models_account_id', columns: ['account_id'], column: 'account_id' },
] as const;

/**
 * Most rows the engine writes leave these columns empty (a client_credentials token has no
 * grant, interaction, user code or account), yet each insert wrote an entry for the empty value
 * into every one of the four indexes. Every lookup by these columns asks for a value (`= ?`), so
 * indexes of the rows that have one answer the same lookups, and an insert of a token that has
 * none writes the table, its key and its expiry alone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (trx) => {
    for (const index of indexes) {
      await trx.schema.dropIndex(index.name).execute();
      await trx.schema.createIndex(index.name).on('oidc_models').columns([...index.columns]).where(index.column, 'is not', null).execute();
    }
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await atomically(db, async (trx) => {
    for (const index of indexes) {
      await trx.schema.dropIndex(index.name).execute();
      await trx.schema.createIndex(index.name).on('oidc_models').columns([...index.columns]).execute();
    }
  });
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
