import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * API resources (RFC 8707 resource indicators): the APIs applications get access tokens for.
 * The identifier is the `resource` value a request names and the token's audience; the scopes
 * are a JSON list of `{ name, description }`, read whole with the row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_resources')
    .addColumn('identifier', 'varchar(1000)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('access_token_format', 'varchar(16)', (c) => c.notNull())
    .addColumn('signing_alg', 'varchar(16)', (c) => c.notNull())
    .addColumn('access_token_ttl_seconds', 'integer', (c) => c.notNull())
    .addColumn('owner', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_resources').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
