import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Upstream identity providers users sign in through (connections): columns every type shares,
 * and the settings document of its type as JSON, validated by the application. The client
 * secret is sealed with the master secret, bound to the connection's id.
 *
 * Home-realm discovery sends an email domain to exactly one connection: the domains get a table
 * of their own whose primary key keeps a domain on one connection even when two writers claim
 * it at once; a connection's domains go with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text')
    .addColumn('owner', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('connection_email_domains')
    .addColumn('domain', 'varchar(253)', (c) => c.primaryKey())
    .addColumn('connection_id', 'varchar(64)', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('connection_email_domains_connection_id').on('connection_email_domains').columns(['connection_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connection_email_domains').execute();
  await db.schema.dropTable('connections').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
