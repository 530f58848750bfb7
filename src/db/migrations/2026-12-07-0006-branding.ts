import { SqliteAdapter, type Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * The sign-in pages' branding: one row, id 1, created here so that a change always has a row to
 * lock and update. A null column means "not set": the product name and colour of the code's
 * defaults, no logo. The logo's bytes are kept in the database, so every instance sharing it
 * serves the same image; `logo_hash` names them in the logo's URL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (trx) => {
    const bytes = trx.getExecutor().adapter instanceof SqliteAdapter ? 'blob' : 'bytea';
    await trx.schema
      .createTable('branding')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('product_name', 'varchar(200)')
      .addColumn('primary_color', 'varchar(7)')
      .addColumn('logo', bytes)
      .addColumn('logo_content_type', 'varchar(32)')
      .addColumn('logo_hash', 'varchar(64)')
      .addColumn('logo_source_url', 'varchar(2000)')
      .addColumn('updated_at', 'bigint')
      .execute();
    await trx.insertInto('branding').values({ id: 1 }).execute();
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('branding').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
