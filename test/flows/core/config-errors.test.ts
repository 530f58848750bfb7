import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Storage } from '../../../src/db/database.js';
import { isGatehouseError } from '../../../src/errors/gatehouse-error.js';
import { redirectUri } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type ConfigChange, type StartOptions, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';

const validUser = (username: string) => ({ username, password: `${username} has a long enough password` });
const validApplication = (clientId: string) => ({ client_id: clientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] });

/** A start that must fail: the error a GatehouseError with code config_invalid, its message for matching. */
async function startFailure(start: () => Promise<unknown>): Promise<string> {
  try {
    await start();
  } catch (error) {
    assert.ok(isGatehouseError(error), `expected a GatehouseError, got ${String(error)}`);
    assert.equal(error.code, 'config_invalid');
    assert.ok(!/\n\s+at /.test(error.message), 'no stack trace in the message');
    return error.message;
  }
  throw new Error('the start succeeded with an invalid configuration file');
}

// The file is read and validated before storage is opened, so these need no database of each kind.
describe('invalid configuration files are reported precisely', () => {
  const rejectStart = (options: Omit<StartOptions, 'dialect'>) => startFailure(() => startServer(options));

  test('an unknown field names the file, the entry and the field', async () => {
    const message = await rejectStart({ declarations: { applications: [{ ...validApplication('notes'), redirect_url: redirectUri }] } });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /applications\[0\] \("notes"\)/);
    assert.match(message, /unknown field "redirect_url"/);
  });

  test('an unknown top-level section is named', async () => {
    const message = await rejectStart({ declarations: { clients: [] } });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /unknown field "clients"/);
  });

  test('an invalid value names the entry and the field', async () => {
    const message = await rejectStart({ declarations: { applications: [{ ...validApplication('notes'), redirect_uris: ['not a url'] }] } });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /applications\[0\] \("notes"\)\.redirect_uris\[0\]/);
  });

  test('a value of the wrong type names the entry and the field', async () => {
    const message = await rejectStart({ declarations: { users: [validUser('ursula'), { ...validUser('victor'), groups: 'staff' }] } });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /users\[1\] \("victor"\)\.groups/);
    assert.match(message, /array/i);
  });

  test('a file that is not YAML says so, with the file and the line', async () => {
    const message = await rejectStart({ configText: 'applications:\n  - client_id: notes\n    redirect_uris: [https://app.example.test/callback\nusers: []\n' });
    assert.match(message, /gatehouse\.yaml/);
    assert.match(message, /not valid YAML/);
    assert.match(message, /line \d+/);
  });

  test('a YAML file is checked the same way', async () => {
    const message = await rejectStart({ configText: 'users:\n  - username: tom\n    passwd: tom has a long enough password\n' });
    assert.match(message, /gatehouse\.yaml/);
    assert.match(message, /users\[0\] \("tom"\)/);
    assert.match(message, /unknown field "passwd"/);
  });

  test('a duplicate client_id names the second entry', async () => {
    const message = await rejectStart({ declarations: { applications: [validApplication('notes'), validApplication('notes')] } });
    assert.match(message, /gatehouse\.json/);
    assert.match(message, /applications\[1\] \("notes"\)/);
    assert.match(message, /declared twice/);
  });

  test('a duplicate username differing only in case and width is a duplicate too', async () => {
    const message = await rejectStart({ declarations: { users: [validUser('Wendy'), validUser('ｗｅｎｄｙ')] } });
    assert.match(message, /users\[1\]/);
    assert.match(message, /declared twice/);
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
      const message = await startFailure(() => server.restart(change));
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
