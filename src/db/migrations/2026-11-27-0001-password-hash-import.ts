import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Remembers which imported password_hash a user's stored hash came from (as a SHA-256 digest,
 * so the weaker foreign hash is not kept), so that applying the same configuration file again
 * does not undo the upgrade to argon2id made at the user's sign-in.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('password_hash_import', 'varchar(64)').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('password_hash_import').execute();
}
