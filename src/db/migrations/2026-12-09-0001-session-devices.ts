import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Session devices: what the /account sessions list shows of each engine session (device, address,
 * last seen), one row per session by the engine's session uid (never its cookie's id), written at
 * each authorization the session makes and removed with the session (ended, or swept once the
 * engine's row is gone).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('session_devices')
    .addColumn('session_uid', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_agent', 'varchar(512)')
    .addColumn('ip_address', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  // The account's list, and ending all of an account's sessions at once.
  await db.schema.createIndex('session_devices_account').on('session_devices').column('account_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('session_devices').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
