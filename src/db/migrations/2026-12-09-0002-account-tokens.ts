import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Account tokens: the single-use links of email verification, email change and password reset,
 * by the SHA-256 of the token (the token itself is only in the message). `email` is the address
 * the link was sent to (for a change, the new one); `password_print` a digest of the user's
 * password hash when a reset link was made, so that any password change since voids it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('account_tokens')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'varchar(32)', (c) => c.notNull())
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('password_print', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  // Unique: a newer link replaces the older in one statement (insert ... on conflict), so two issued at once leave one.
  await db.schema.createIndex('account_tokens_user_purpose').on('account_tokens').columns(['user_id', 'purpose']).unique().execute();
  await db.schema.createIndex('account_tokens_expires_at').on('account_tokens').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_tokens').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
