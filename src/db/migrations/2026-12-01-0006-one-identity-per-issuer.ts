import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * A user has at most one identity at each issuer. Sign-in checks that an account is not linked
 * to another upstream subject before linking it, but two first sign-ins at the same moment could
 * both pass that check; the index makes the second link fail instead.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('user_identities_one_per_issuer').on('user_identities').columns(['issuer', 'user_id']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('user_identities_one_per_issuer').execute();
}
