import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * `sign_in_detours`: a browser's trip through an upstream identity provider, keyed by the hash
 * of the `state` that travels through the other site (docs/architecture.md, "How a sign-in
 * method's callback finds its interaction"). `upstream_sessions`: what ending a Gatehouse
 * session needs to end the upstream one too, keyed by the engine session's uid.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_detours')
    .addColumn('state_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('interaction_uid', 'varchar(255)')
    .addColumn('connection_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('binding_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(100)', (c) => c.notNull())
    .addColumn('code_verifier', 'varchar(200)', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('returned_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('identity_issuer', 'varchar(500)')
    .addColumn('identity_subject', 'varchar(255)')
    .addColumn('identity_claims', 'text')
    .addColumn('upstream_id_token', 'text')
    .execute();
  await db.schema.createIndex('sign_in_detours_interaction_uid').on('sign_in_detours').columns(['interaction_uid']).execute();
  await db.schema.createIndex('sign_in_detours_expires_at').on('sign_in_detours').columns(['expires_at']).execute();

  await db.schema
    .createTable('upstream_sessions')
    .addColumn('session_uid', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('connection_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('upstream_sessions_expires_at').on('upstream_sessions').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('upstream_sessions').execute();
  await db.schema.dropTable('sign_in_detours').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
