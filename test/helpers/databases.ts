import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server CI provides; tests that need it skip visibly without it. */
export const postgresUrl = process.env.GATEHOUSE_TEST_DATABASE_URL;

export type TestDialect = 'sqlite' | 'postgres';

/** Every dialect the suite runs on here: SQLite always, PostgreSQL when CI gives one. */
export const dialects: TestDialect[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * The dialects of a flow whose outcome the database does not decide (an authorization mode's
 * requests and answers): SQLite only. The engine stores all of it through one adapter, which
 * test/db/oidc-models.test.ts runs on both dialects; each mode run again on PostgreSQL made
 * the same adapter calls and doubled those files' share of the suite's time.
 */
export const protocolDialects: TestDialect[] = ['sqlite'];

export const skipWithoutPostgres = postgresUrl ? false : 'GATEHOUSE_TEST_DATABASE_URL is not set';

/** A fresh database of its own for one test file, so files can run in parallel; dropped by `drop`. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!postgresUrl) throw new Error('GATEHOUSE_TEST_DATABASE_URL is not set');
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
