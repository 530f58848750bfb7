import { SqliteAdapter, type Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * The logos of applications' own branding (their `branding` metadata): fetched once when an
 * administrator sets the URL, kept here so that every instance sharing the database serves the
 * same image from Gatehouse's origin. One row per application that has one; `logo_hash` names
 * the bytes in the logo's URL, as the global branding's does.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof SqliteAdapter ? 'blob' : 'bytea';
  await db.schema
    .createTable('application_logos')
    .addColumn('client_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('logo', bytes, (c) => c.notNull())
    .addColumn('logo_content_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('logo_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('logo_source_url', 'varchar(2000)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('application_logos_hash').on('application_logos').column('logo_hash').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('application_logos').execute();
}

/** Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones: the table and its index come together or not at all. */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
