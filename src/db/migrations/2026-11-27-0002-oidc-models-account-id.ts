import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * The account a session, grant or token belongs to, so that disabling a user can remove all of
 * them at once. Rows written before this migration keep a null account and expire as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('oidc_models').addColumn('account_id', 'varchar(255)').execute();
  await db.schema.createIndex('oidc_models_account_id').on('oidc_models').columns(['account_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('oidc_models_account_id').execute();
  await db.schema.alterTable('oidc_models').dropColumn('account_id').execute();
}
