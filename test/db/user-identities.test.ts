import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql, type CompiledQuery } from 'kysely';
import { openPostgres } from '../../src/db/connect.js';
import type { Db, Storage } from '../../src/db/database.js';
import { createUserIdentityQueries, type UserIdentityRow } from '../../src/db/queries/user-identities.js';
import { dialects } from '../helpers/databases.js';
import { openSharedStorage, raceInThreads, sqliteStatement, type SharedStorage } from '../helpers/sqlite-race.js';

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
function linkStatement(row: UserIdentityRow): Promise<CompiledQuery> {
  return sqliteStatement((db) => createUserIdentityQueries(db).link(row));
}

for (const dialect of dialects) {
  describe(`user_identities storage (${dialect})`, () => {
    let storage: Storage;
    let identities: ReturnType<typeof createUserIdentityQueries>;
    let shared: SharedStorage;
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);

    before(async () => {
      shared = await openSharedStorage(dialect);
      storage = shared.storage;
      identities = createUserIdentityQueries(storage.db);
    });
    after(() => shared?.close());
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

    test('a user has one identity per issuer: a second subject at the same issuer is not linked to it', async () => {
      assert.equal(await identities.link(link('user-0')), true);
      assert.equal(await identities.link(link('user-0', { ...okta, subject: 'someone-else' })), false);
      assert.equal(await identities.findUserId({ ...okta, subject: 'someone-else' }), undefined);
      assert.deepEqual(await identities.listByUser('user-0'), [link('user-0')]);
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
        const outcomes = await raceInThreads(shared.sqliteFile!, statements);
        assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
        assert.equal(await identities.findUserId(okta), users[outcomes.indexOf(true)]);
      });
    } else {
      test('two pools (two instances) link one identity on twenty connections at once: exactly one wins', async () => {
        const second = openPostgres(shared.postgresDatabaseUrl!);
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
