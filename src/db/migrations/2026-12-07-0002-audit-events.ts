import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * The audit log (docs/audit.md): an append-only table of security events, pruned after the
 * retention the configuration file sets. An event is ordered by when it happened and then by its
 * id, a unique random value: that pair never changes and no two events share it, so a page of
 * events can continue after the last one shown however many are inserted meanwhile, on however
 * many instances. Each filter the management API offers (type, user, application, time range)
 * has an index that ends in that same order, so a filtered page is one range scan.
 *
 * Every value that comes from elsewhere (who acted, the ids, the client address, the details) is
 * `text`: PostgreSQL enforces a varchar's length, and one value too long would fail the whole
 * batch it is written in. The same DDL works on SQLite and PostgreSQL; nothing differs here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, async (trx) => {
    await trx.schema
      .createTable('audit_events')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('type', 'varchar(64)', (c) => c.notNull())
      .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('actor_kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('client_id', 'text')
      .addColumn('connection_id', 'text')
      .addColumn('client_address', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await trx.schema.createIndex('audit_events_occurred_at').on('audit_events').columns(['occurred_at', 'id']).execute();
    await trx.schema.createIndex('audit_events_type').on('audit_events').columns(['type', 'occurred_at', 'id']).execute();
    await trx.schema.createIndex('audit_events_user_id').on('audit_events').columns(['user_id', 'occurred_at', 'id']).execute();
    await trx.schema.createIndex('audit_events_client_id').on('audit_events').columns(['client_id', 'occurred_at', 'id']).execute();
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
}

/**
 * Kysely wraps PostgreSQL migrations in a transaction but not SQLite ones; SQLite's DDL is
 * transactional too, so a crash half-way leaves the schema as it was instead of half-changed.
 */
async function atomically(db: Kysely<any>, work: (db: Kysely<any>) => Promise<void>): Promise<void> {
  if (db.isTransaction) await work(db);
  else await db.transaction().execute(work);
}
