import { sql, type Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Key rotation stores the coming key of a purpose as `next` until it has been published long
 * enough to sign. At most one key per purpose may be waiting, as at most one is active: two
 * rotations started at once (two instances, the CLI beside a server) cannot both store one, and
 * the activation never has to choose between two.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('keys_one_next_per_purpose').on('keys').column('purpose').unique().where(sql.ref('status'), '=', 'next').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('keys_one_next_per_purpose').execute();
}
