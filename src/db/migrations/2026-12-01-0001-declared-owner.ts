import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Who owns a record: `config_file` for what the configuration file declares (a change made
 * elsewhere would be undone at the next start, so other writers are refused), `database` for
 * what administrators manage in Gatehouse itself. Existing records came from the file, the only
 * writer until now, except the first administrator.
 */
export async function up(db: Kysely<any>): Promise<void> {
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
