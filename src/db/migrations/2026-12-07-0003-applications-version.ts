import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * A second counter beside the engine's: every change to an application increments it in the
 * same transaction, so that each instance, which keeps applications in memory, sees with one
 * cheap read that it must drop them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.insertInto('engine_state').values({ name: 'applications', version: 1 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('engine_state').where('name', '=', 'applications').execute();
}
