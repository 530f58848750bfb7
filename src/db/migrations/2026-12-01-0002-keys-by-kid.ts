import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Keys are identified by their kid and carry a status (`next`: published, not yet used;
 * `active`: signs; `retired`: published for verification only), so that rotating a key is a
 * change of status. `purpose` is what the fixed slot named (signing:RS256 …, cookie); at most
 * one key per purpose is active, which also keeps two first starts from each activating a key
 * of their own. `sealed_as` is the context the private part was sealed with (the slot, for keys
 * from before this migration), which opening it must name again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('key_ring')
    .addColumn('kid', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('purpose', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('public_jwk', 'text')
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('sealed_as', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
    .execute();
  const rows = await db.selectFrom('keys').selectAll().execute();
  for (const row of rows) {
    await db
      .insertInto('key_ring')
      .values({
        kid: row.kid,
        purpose: row.use === 'cookie' ? 'cookie' : row.slot,
        status: 'active',
        public_jwk: row.public_jwk,
        private_sealed: row.private_sealed,
        sealed_as: row.slot,
        created_at: row.created_at,
        status_changed_at: row.created_at,
      })
      .execute();
  }
  await db.schema.dropTable('keys').execute();
  await db.schema.alterTable('key_ring').renameTo('keys').execute();
  await db.schema.createIndex('keys_one_active_per_purpose').on('keys').column('purpose').unique().where(sql.ref('status'), '=', 'active').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('keys_one_active_per_purpose').execute();
  await db.schema.alterTable('keys').renameTo('key_ring').execute();
  await db.schema
    .createTable('keys')
    .addColumn('slot', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('kid', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('use', 'varchar(16)', (c) => c.notNull())
    .addColumn('alg', 'varchar(16)')
    .addColumn('public_jwk', 'text')
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  const rows = await db.selectFrom('key_ring').selectAll().where('status', '=', 'active').execute();
  for (const row of rows) {
    const signing = String(row.purpose).startsWith('signing:');
    await db
      .insertInto('keys')
      .values({
        slot: row.sealed_as,
        kid: row.kid,
        use: signing ? 'sig' : 'cookie',
        alg: signing ? String(row.purpose).slice('signing:'.length) : null,
        public_jwk: row.public_jwk,
        private_sealed: row.private_sealed,
        created_at: row.created_at,
      })
      .execute();
  }
  await db.schema.dropTable('key_ring').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
