import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Who owns a record: `config_file` for what the configuration file declares (a change made
 * elsewhere would be undone at the next start, so other writers are refused), `database` for
 * what administrators manage in Gatehouse itself. Existing records came from the file, the only
 * writer until now, except the first administrator.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  for (const table of ['users', 'applications', 'scopes']) {
    await db.schema.alterTable(table).addColumn('owner', 'varchar(16)', (c) => c.notNull().defaultTo('config_file')).execute();
  }
  await db.updateTable('users').set({ owner: 'database' }).where('username_normalized', '=', 'admin').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['users', 'applications', 'scopes']) {
    await db.schema.alterTable(table).dropColumn('owner').execute();
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
