import type { Kysely } from 'kysely';

// Frozen in time: this migration must never import application code.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oidc_models')
    .addColumn('model', 'varchar(64)', (c) => c.notNull())
    .addColumn('id', 'varchar(255)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'varchar(255)')
    .addColumn('user_code', 'varchar(255)')
    .addColumn('uid', 'varchar(255)')
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_models_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_models_grant_id').on('oidc_models').columns(['grant_id']).execute();
  await db.schema.createIndex('oidc_models_uid').on('oidc_models').columns(['model', 'uid']).execute();
  await db.schema.createIndex('oidc_models_user_code').on('oidc_models').columns(['model', 'user_code']).execute();
  await db.schema.createIndex('oidc_models_expires_at').on('oidc_models').columns(['expires_at']).execute();

  await db.schema
    .createTable('applications')
    .addColumn('client_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(200)', (c) => c.notNull())
    .addColumn('username_normalized', 'varchar(200)', (c) => c.notNull().unique())
    .addColumn('email', 'varchar(320)')
    .addColumn('password_hash', 'text')
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_email').on('users').columns(['email']).unique().execute();

  await db.schema
    .createTable('user_identities')
    .addColumn('issuer', 'varchar(500)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_identities_pk', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('user_identities_user_id').on('user_identities').columns(['user_id']).execute();

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

  await db.schema
    .createTable('scopes')
    .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('attempt_counters')
    .addColumn('key', 'varchar(400)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('lock_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attempt_counters_expires_at').on('attempt_counters').columns(['expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['attempt_counters', 'scopes', 'keys', 'user_identities', 'users', 'applications', 'oidc_models']) {
    await db.schema.dropTable(table).execute();
  }
}
