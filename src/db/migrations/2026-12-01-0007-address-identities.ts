import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * The identities that failed to sign in from a client address get a table of their own. Until
 * now each (address, identity) pair was a row of attempt_counters (`identity:ip:…:account`)
 * whose locked_until and lock_count columns held, instead of a lock, the address counter's
 * window start and lock count its failure was counted into. Here those are columns of their own,
 * null when the identity holds no count in the address counter, and the pairs that exist are
 * moved over as they are, so that no count is lost or given back twice across the upgrade.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('address_identities')
    .addColumn('key', 'varchar(400)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'bigint', (c) => c.notNull())
    .addColumn('counted_window_started_at', 'bigint')
    .addColumn('counted_lock_count', 'integer')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('address_identities_expires_at').on('address_identities').columns(['expires_at']).execute();

  const identityRows = sql<boolean>`substr(key, 1, 9) = 'identity:'`;
  await sql`
    insert into address_identities (key, failures, window_started_at, counted_window_started_at, counted_lock_count, expires_at)
    select key, failures, window_started_at, locked_until,
           case when locked_until is null then null else lock_count end,
           expires_at
    from attempt_counters
    where ${identityRows}
  `.execute(db);
  await db.deleteFrom('attempt_counters').where(identityRows).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await atomically(db, async (trx) => {
    await sql`
      insert into attempt_counters (key, failures, window_started_at, locked_until, lock_count, expires_at)
      select key, failures, window_started_at, counted_window_started_at,
             case when counted_window_started_at is null then 0 else counted_lock_count end,
             expires_at
      from address_identities
    `.execute(trx);
    await trx.schema.dropTable('address_identities').execute();
  });
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
