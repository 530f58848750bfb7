import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql, type CompiledQuery } from 'kysely';
import { openPostgres, openSqlite } from '../../src/db/connect.js';
import type { Database, Db, Storage } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createUserIdentityQueries, type UserIdentityRow } from '../../src/db/queries/user-identities.js';
import { createPostgresDatabase, dialects } from '../helpers/databases.js';

const now = Date.UTC(2026, 10, 26, 12);
const okta = { issuer: 'https://example.okta.com', subject: '00u1abcd' };

function link(userId: string, identity = okta): UserIdentityRow {
  return { ...identity, user_id: userId, created_at: now };
}

/** Users inserted as rows, so that this storage test depends on the users table only, not on the user service. */
async function insertUsers(db: Db, ids: string[]): Promise<void> {
  for (const id of ids) {
    await sql`insert into users (id, username, username_normalized, email, password_hash, profile, groups, attributes, disabled, created_at, updated_at)
      values (${id}, ${id}, ${id}, null, null, '{}', '[]', '{}', 0, ${now}, ${now})`.execute(db);
  }
}

/** The SQL the query module runs to link, compiled for SQLite but not executed. */
async function linkStatement(row: UserIdentityRow): Promise<CompiledQuery> {
  let captured: CompiledQuery | undefined;
  const compileOnly = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
    log: (event) => {
      captured = event.query;
    },
  });
  await createUserIdentityQueries(compileOnly).link(row);
  return captured!;
}

/**
 * Runs each statement in a thread of its own with its own connection to the SQLite file,
 * released together from a barrier; returns whether each inserted a row.
 */
async function raceInThreads(file: string, statements: CompiledQuery[]): Promise<boolean[]> {
  const barrier = new SharedArrayBuffer(4);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const racers = statements.map((statement) => {
    const worker = new Worker(raceThread, { eval: true, workerData: { file, driver, sql: statement.sql, parameters: statement.parameters, barrier } });
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const outcome = new Promise<boolean>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('message', (message: { ready?: true; changed?: boolean }) => (message.ready ? markReady() : resolve(message.changed!)));
    });
    return { ready, outcome };
  });
  await Promise.all(racers.map((r) => Promise.race([r.ready, r.outcome])));
  Atomics.store(new Int32Array(barrier), 0, 1);
  Atomics.notify(new Int32Array(barrier), 0);
  return Promise.all(racers.map((r) => r.outcome));
}

/** One racing thread, with the pragmas of src/db/connect.ts that matter here. */
const raceThread = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');
const statement = db.prepare(workerData.sql);
parentPort.postMessage({ ready: true });
Atomics.wait(new Int32Array(workerData.barrier), 0, 0);
const { changes } = statement.run(...workerData.parameters);
db.close();
parentPort.postMessage({ changed: changes > 0 });
`;

for (const dialect of dialects) {
  describe(`user_identities storage (${dialect})`, () => {
    let storage: Storage;
    let identities: ReturnType<typeof createUserIdentityQueries>;
    let cleanup: () => Promise<void>;
    let sqliteFile: string | undefined;
    let postgresDatabaseUrl: string | undefined;
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);

    before(async () => {
      if (dialect === 'postgres') {
        const database = await createPostgresDatabase();
        postgresDatabaseUrl = database.url;
        storage = openPostgres(database.url);
        cleanup = () => database.drop();
      } else {
        const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-db-'));
        sqliteFile = path.join(dir, 'gatehouse.sqlite');
        storage = openSqlite(sqliteFile);
        cleanup = () => rm(dir, { recursive: true, force: true });
      }
      await migrateToLatest(storage.db);
      identities = createUserIdentityQueries(storage.db);
    });
    after(async () => {
      await storage?.close();
      await cleanup?.();
    });
    beforeEach(async () => {
      await storage.db.deleteFrom('user_identities').execute();
      await storage.db.deleteFrom('users').execute();
      await insertUsers(storage.db, users);
    });

    test('a linked identity finds its user; an unknown one finds none', async () => {
      assert.equal(await identities.link(link('user-0')), true);
      assert.equal(await identities.findUserId(okta), 'user-0');
      assert.equal(await identities.findUserId({ ...okta, subject: 'someone-else' }), undefined);
      assert.equal(await identities.findUserId({ issuer: 'https://accounts.google.com', subject: okta.subject }), undefined, 'the same subject at another issuer is another identity');
    });

    test('a second user cannot take an identity already linked, and linking it again changes nothing', async () => {
      assert.equal(await identities.link(link('user-0')), true);
      assert.equal(await identities.link(link('user-1')), false);
      assert.equal(await identities.link({ ...link('user-0'), created_at: now + 1 }), false);
      assert.equal(await identities.findUserId(okta), 'user-0');
      assert.deepEqual(await identities.listByUser('user-0'), [link('user-0')]);
      assert.deepEqual(await identities.listByUser('user-1'), []);
    });

    test('the primary key itself refuses a second row for an identity, whoever writes it', async () => {
      await identities.link(link('user-0'));
      await assert.rejects(storage.db.insertInto('user_identities').values(link('user-1')).execute());
      assert.equal(await identities.findUserId(okta), 'user-0');
    });

    test('an identity cannot be linked to a user that does not exist', async () => {
      await assert.rejects(identities.link(link('no-such-user')));
      assert.equal(await identities.findUserId(okta), undefined);
    });

    test('a user lists its identities, by issuer and subject', async () => {
      const google = { issuer: 'https://accounts.google.com', subject: '1170' };
      const partner = { issuer: 'https://portal.partner.example', subject: 'p-9' };
      for (const identity of [partner, okta, google]) await identities.link(link('user-0', identity));
      await identities.link(link('user-1', { ...google, subject: '2280' }));
      assert.deepEqual((await identities.listByUser('user-0')).map((row) => row.issuer), [google.issuer, okta.issuer, partner.issuer]);
      assert.equal((await identities.listByUser('user-1')).length, 1);
    });

    test('unlink removes only the link of that user', async () => {
      await identities.link(link('user-0'));
      assert.equal(await identities.unlink('user-1', okta), false, 'another user cannot unlink it');
      assert.equal(await identities.findUserId(okta), 'user-0');
      assert.equal(await identities.unlink('user-0', okta), true);
      assert.equal(await identities.findUserId(okta), undefined);
      assert.equal(await identities.unlink('user-0', okta), false, 'nothing is left to unlink');
      assert.equal(await identities.link(link('user-1')), true, 'an unlinked identity may be linked anew');
    });

    test('deleting the user removes its links, and the identity is free again', async () => {
      await identities.link(link('user-0'));
      await identities.link(link('user-0', { issuer: okta.issuer, subject: 'second' }));
      await identities.link(link('user-1', { issuer: okta.issuer, subject: 'kept' }));
      await storage.db.deleteFrom('users').where('id', '=', 'user-0').execute();
      assert.deepEqual(await identities.listByUser('user-0'), []);
      assert.equal(await identities.findUserId(okta), undefined);
      assert.equal(await identities.findUserId({ issuer: okta.issuer, subject: 'kept' }), 'user-1', 'other users keep theirs');
      assert.equal(await identities.link(link('user-2')), true);
    });

    test('twenty concurrent links of one identity to twenty users: exactly one wins, and it is the one stored', async () => {
      const outcomes = await Promise.all(users.map((user) => identities.link(link(user))));
      assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
      assert.equal(await identities.findUserId(okta), users[outcomes.indexOf(true)]);
    });

    if (dialect === 'sqlite') {
      test('eight threads with their own connections link one identity to eight users at once: exactly one wins', async () => {
        const statements = await Promise.all(users.slice(0, 8).map((user) => linkStatement(link(user))));
        const outcomes = await raceInThreads(sqliteFile!, statements);
        assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
        assert.equal(await identities.findUserId(okta), users[outcomes.indexOf(true)]);
      });
    } else {
      test('two pools (two instances) link one identity on twenty connections at once: exactly one wins', async () => {
        const second = openPostgres(postgresDatabaseUrl!);
        try {
          const others = createUserIdentityQueries(second.db);
          const outcomes = await Promise.all(users.map((user, i) => (i % 2 === 0 ? identities : others).link(link(user))));
          assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
          assert.equal(await identities.findUserId(okta), users[outcomes.indexOf(true)]);
        } finally {
          await second.close();
        }
      });
    }
  });
}
