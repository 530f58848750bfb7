import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

/**
 * Second factors and their sign-in state:
 * - `totp_factors`: one authenticator app per user, its secret sealed with the master secret;
 *   `confirmed_at` is null until a first valid code, and `last_time_step` is the latest step a
 *   code was accepted for, so that a conditional update admits each step once, on every instance.
 * - `passkeys`: WebAuthn credentials by their id, with the signature counter last seen.
 * - `recovery_codes`: keyed hashes of the unused codes; using one deletes its row.
 * - `webauthn_challenges`: each challenge once, bound to the interaction or user it was made for.
 * - `mfa_sign_ins`: an interaction between its first factor and its end (second factor,
 *   enrolment, recovery codes shown), by the interaction's uid; `generation` changes with each
 *   new first factor, so that a step of an earlier one cannot write into it.
 * - `mfa_settings`: the global policy, one row (id 1) created here so that a change has a row to
 *   lock; `require_for_administrators` null means "once any administrator has a factor".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await atomically(db, change);
}

async function change(db: Kysely<any>): Promise<void> {
  const userId = (c: any) => c.notNull().references('users.id').onDelete('cascade');
  await db.schema
    .createTable('totp_factors')
    .addColumn('user_id', 'varchar(64)', (c) => userId(c).primaryKey())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('last_time_step', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'varchar(1400)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', userId)
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('device_type', 'varchar(20)', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('passkeys_user_id').on('passkeys').columns(['user_id']).execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'varchar(64)', userId)
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('recovery_codes_pkey', ['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('challenge', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('purpose', 'varchar(20)', (c) => c.notNull())
    .addColumn('bound_to', 'varchar(200)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webauthn_challenges_expires_at').on('webauthn_challenges').columns(['expires_at']).execute();

  await db.schema
    .createTable('mfa_sign_ins')
    .addColumn('uid', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('generation', 'varchar(32)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', userId)
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('enrol', 'varchar(20)')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mfa_sign_ins_expires_at').on('mfa_sign_ins').columns(['expires_at']).execute();

  await db.schema
    .createTable('mfa_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('policy', 'varchar(20)', (c) => c.notNull())
    .addColumn('require_for_administrators', 'integer')
    .addColumn('owner', 'varchar(20)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint')
    .execute();
  await db.insertInto('mfa_settings').values({ id: 1, policy: 'optional', owner: 'database' }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['mfa_settings', 'mfa_sign_ins', 'webauthn_challenges', 'recovery_codes', 'passkeys', 'totp_factors']) {
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
