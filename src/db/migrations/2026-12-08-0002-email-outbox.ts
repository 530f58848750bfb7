import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Email delivery:
 * - `email_settings`: the SMTP settings, one row (id 1) created here so that a change has a row
 *   to lock; a null `host` means "not configured". The password is sealed with the master secret.
 * - `email_outbox`: each message to send, kept until sent or given up. `params` are sealed (a
 *   reset link is a secret) and emptied once the message is sent or failed. A row is claimed
 *   by one instance with a conditional update (`claimed_by`, `claimed_until`), so that two
 *   instances never send it both; a claim that outlives `claimed_until` is another's to retry.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('email_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('host', 'varchar(253)')
    .addColumn('port', 'integer')
    .addColumn('tls_mode', 'varchar(20)')
    .addColumn('allow_insecure', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('auth_user', 'varchar(256)')
    .addColumn('password_sealed', 'text')
    .addColumn('from_address', 'varchar(320)')
    .addColumn('from_name', 'varchar(200)')
    .addColumn('owner', 'varchar(20)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint')
    .execute();
  await db.insertInto('email_settings').values({ id: 1, allow_insecure: 0, owner: 'database' }).execute();

  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('recipient', 'varchar(320)', (c) => c.notNull())
    .addColumn('template', 'varchar(64)', (c) => c.notNull())
    .addColumn('locale', 'varchar(35)', (c) => c.notNull())
    .addColumn('params_sealed', 'text')
    .addColumn('status', 'varchar(10)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('claimed_by', 'varchar(64)')
    .addColumn('claimed_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('user_id', 'varchar(64)')
    .execute();
  // The sender's question: what is due (queued by time, or sending past its claim).
  await db.schema.createIndex('email_outbox_due').on('email_outbox').columns(['status', 'next_attempt_at']).execute();
  // The administrators' listing, newest first.
  await db.schema.createIndex('email_outbox_created').on('email_outbox').columns(['created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['email_outbox', 'email_settings']) {
    await db.schema.dropTable(table).execute();
  }
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
