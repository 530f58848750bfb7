import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Storage } from '../../../src/db/database.js';
import { redirectUri } from '../../helpers/applications.js';
import { configRefusal } from '../../helpers/config-refusal.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type ConfigChange, type StartOptions, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';

const validUser = (username: string) => ({ username, password: `${username} has a long enough password` });
const validApplication = (clientId: string) => ({ client_id: clientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] });

/*
 * test/unit/parse-declarations.test.ts checks how each kind of mistake is reported; these check
 * that the report stops the start, and that a refused file changes nothing stored.
 */

// The file is read and validated before storage is opened, so these need no database of each kind.
describe('an invalid configuration file stops the start with its report', () => {
  const rejectStart = (options: Omit<StartOptions, 'dialect'>) => configRefusal(async () => (await startServer(options)).close());

  test('a JSON file: the report names the file, the entry and the field', async () => {
    const message = await rejectStart({ declarations: { applications: [{ ...validApplication('notes'), redirect_url: redirectUri }] } });
    assert.match(message, /gatehouse\.json: /);
    assert.match(message, /applications\[0\] \("notes"\)/);
    assert.match(message, /unknown field "redirect_url"/);
  });

  test('a YAML file that does not parse: the report names the file and the line', async () => {
    const message = await rejectStart({ configText: 'applications:\n  - client_id: notes\n    redirect_uris: [https://app.example.test/callback\nusers: []\n' });
    assert.match(message, /gatehouse\.yaml/);
    assert.match(message, /not valid YAML/);
    assert.match(message, /line \d+/);
  });
});

for (const dialect of dialects) {
  describe(`invalid configuration files stop the start and change nothing (${dialect})`, () => {
    let server: TestServer;
    let storage: Storage;

    before(async () => {
      server = await startServer({ declarations: coreDeclarations, dialect });
      storage = server.openStorage();
    });
    after(async () => {
      await storage?.close();
      await server?.close();
    });

    /** Restarts the running server on a bad file: it must refuse, and keep every stored row as it was. */
    async function rejectRestart(change: ConfigChange): Promise<string> {
      const before = await snapshot();
      const message = await configRefusal(() => server.restart(change));
      assert.deepEqual(await snapshot(), before, 'stored users, applications and scopes are unchanged');
      await server.restart({ declarations: coreDeclarations });
      return message;
    }

    async function snapshot() {
      const { db } = storage;
      return {
        users: await db.selectFrom('users').select(['username', 'email', 'password_hash', 'profile', 'groups', 'disabled', 'updated_at']).orderBy('username').execute(),
        applications: await db.selectFrom('applications').select(['client_id', 'metadata', 'updated_at']).orderBy('client_id').execute(),
        scopes: await db.selectFrom('scopes').selectAll().orderBy('name').execute(),
      };
    }

    test('a password breaking the policy in the third user writes none of the three', async () => {
      const message = await rejectRestart({
        declarations: { ...coreDeclarations, users: [...coreDeclarations.users, validUser('xavier'), validUser('yolanda'), { username: 'zed', password: 'short' }] },
      });
      assert.match(message, /gatehouse\.json/);
      assert.match(message, /users\[4\] \("zed"\)/);
      assert.match(message, /password/);
      const stored = await storage.db.selectFrom('users').select('username').where('username_normalized', 'in', ['xavier', 'yolanda', 'zed']).execute();
      assert.deepEqual(stored, [], 'the two valid users before it were not written');
    });

    test('an application the protocol engine refuses, after valid users and scopes, writes nothing', async () => {
      const message = await rejectRestart({
        declarations: {
          ...coreDeclarations,
          users: [...coreDeclarations.users, validUser('xavier')],
          scopes: [...coreDeclarations.scopes, { name: 'notes:read', description: 'Read notes', claims: ['department'] }],
          applications: [
            ...coreDeclarations.applications,
            { ...validApplication('broken'), token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'RSA', n: 'not-a-key' }] } },
          ],
        },
      });
      assert.match(message, /applications\[\d\] \("broken"\)/);
      assert.match(message, /jwks|JSON Web Key/i);
    });

    test('a changed field of an existing user in a failing file is not applied either', async () => {
      const alice = { ...coreDeclarations.users[0]!, name: 'Mallory In Disguise' };
      await rejectRestart({ declarations: { ...coreDeclarations, users: [alice, coreDeclarations.users[1], { username: 'zed', password: 'short' }] } });
      const row = await storage.db.selectFrom('users').select('profile').where('username_normalized', '=', 'alice').executeTakeFirstOrThrow();
      assert.equal(JSON.parse(row.profile).name, 'Alice Liddell');
    });
  });
}
