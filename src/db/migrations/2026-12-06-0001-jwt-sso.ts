import { sql, SqliteAdapter, type Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Partners' signed-JWT sign-in (connections of type `jwt`):
 * - a connection's secret is an upstream's client secret or a partner's HMAC key, so its column
 *   is `secret_sealed`;
 * - a trip to a partner has no nonce and no PKCE verifier, which only an OpenID Connect
 *   upstream's trip has, so those columns of `sign_in_detours` may be null; its return instead
 *   hands the browser it came in a one-time ticket that the hop back must show
 *   (`return_ticket_hash`);
 * - `jwt_replays` remembers each token id a connection accepted until the token has expired, so
 *   that a second use is refused: the primary key makes the insert that finds it taken the
 *   replay, on every instance at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connections').renameColumn('client_secret_sealed', 'secret_sealed').execute();

  if (db.getExecutor().adapter instanceof SqliteAdapter) await detoursRebuiltForSqlite(db);
  else {
    await db.schema.alterTable('sign_in_detours').alterColumn('nonce', (c) => c.dropNotNull()).execute();
    await db.schema.alterTable('sign_in_detours').alterColumn('code_verifier', (c) => c.dropNotNull()).execute();
  }
  await db.schema.alterTable('sign_in_detours').addColumn('return_ticket_hash', 'varchar(64)').execute();

  await db.schema
    .createTable('jwt_replays')
    .addColumn('connection_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('jti_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('jwt_replays_pkey', ['connection_id', 'jti_hash'])
    .execute();
  await db.schema.createIndex('jwt_replays_expires_at').on('jwt_replays').columns(['expires_at']).execute();
}

/** SQLite cannot drop a NOT NULL: the table is made anew with the same columns and rows. */
async function detoursRebuiltForSqlite(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_detours_new')
    .addColumn('state_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    .addColumn('interaction_uid', 'varchar(255)')
    .addColumn('connection_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('binding_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('nonce', 'varchar(100)')
    .addColumn('code_verifier', 'varchar(200)')
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
  const columns = sql.raw([
    'state_hash', 'purpose', 'interaction_uid', 'connection_id', 'binding_hash', 'nonce', 'code_verifier', 'redirect_uri', 'created_at',
    'expires_at', 'returned_at', 'completed_at', 'identity_issuer', 'identity_subject', 'identity_claims', 'upstream_id_token',
  ].join(', '));
  await sql`insert into sign_in_detours_new (${columns}) select ${columns} from sign_in_detours`.execute(db);
  await db.schema.dropTable('sign_in_detours').execute();
  await db.schema.alterTable('sign_in_detours_new').renameTo('sign_in_detours').execute();
  await db.schema.createIndex('sign_in_detours_interaction_uid').on('sign_in_detours').columns(['interaction_uid']).execute();
  await db.schema.createIndex('sign_in_detours_expires_at').on('sign_in_detours').columns(['expires_at']).execute();
}

/** Partners' detours and connections go with it; the nonce and verifier stay nullable, which the earlier code does not mind. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('sign_in_detours').where('nonce', 'is', null).execute();
  await db.schema.alterTable('sign_in_detours').dropColumn('return_ticket_hash').execute();
  await db.deleteFrom('connections').where('type', '=', 'jwt').execute();
  await db.schema.dropTable('jwt_replays').execute();
  await db.schema.alterTable('connections').renameColumn('secret_sealed', 'client_secret_sealed').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
