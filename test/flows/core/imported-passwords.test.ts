import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import * as oidc from 'openid-client';
import { defaults } from '../../../src/config/defaults.js';
import type { Storage } from '../../../src/db/database.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import type { Credentials } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';

const { memoryCost, timeCost, parallelism } = defaults.argon2;
const bcryptCost = 4;
const currentArgon2 = `$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`;

const imported = {
  bcrypt: { username: 'brenda', password: 'brenda migrated from another system' },
  bcryptPhp: { username: 'yusuf', password: 'yusuf migrated from a php application' },
  argon2: { username: 'carla', password: 'carla migrated with an argon2 hash' },
};

/**
 * Hashes as other systems wrote them: bcrypt ($2b$, PHP's $2y$) and argon2id with other
 * parameters. bcrypt at its lowest cost keeps the test fast; the format is the same.
 */
async function foreignHashes() {
  const bcryptHash = await bcrypt.hash(imported.bcrypt.password, bcryptCost);
  const phpHash = (await bcrypt.hash(imported.bcryptPhp.password, bcryptCost)).replace(/^\$2b\$/, '$2y$');
  const argon2 = await argon2Hash(imported.argon2.password, { algorithm: 2, memoryCost: 4096, timeCost: 3, parallelism: 1 });
  return { bcrypt: bcryptHash, bcryptPhp: phpHash, argon2 };
}

for (const dialect of dialects) {
  describe(`imported password hashes (${dialect})`, () => {
    let server: TestServer;
    let storage: Storage;
    let spa: oidc.Configuration;
    let hashes: Awaited<ReturnType<typeof foreignHashes>>;
    let declarations: Record<string, unknown> & { users: Array<Record<string, unknown>> };

    before(async () => {
      hashes = await foreignHashes();
      declarations = {
        ...coreDeclarations,
        users: [
          ...coreDeclarations.users,
          { username: imported.bcrypt.username, password_hash: hashes.bcrypt },
          { username: imported.bcryptPhp.username, password_hash: hashes.bcryptPhp },
          { username: imported.argon2.username, password_hash: hashes.argon2 },
        ],
      };
      server = await startServer({ declarations, dialect });
      storage = server.openStorage();
      spa = await oidc.discovery(new URL(server.issuer), 'spa', undefined, oidc.None(), insecure);
    });
    after(async () => {
      await storage?.close();
      await server?.close();
    });

    async function storedHash(username: string): Promise<string> {
      const row = await storage.db.selectFrom('users').select('password_hash').where('username_normalized', '=', username).executeTakeFirstOrThrow();
      return row.password_hash!;
    }

    /** Signs in through the pages; who userinfo then says signed in. */
    async function signedInAs(credentials: Credentials): Promise<string> {
      const tokens = await signIn(server, spa, 'openid profile', { credentials });
      const userinfo = await oidc.fetchUserInfo(spa, tokens.access_token, tokens.claims()!.sub);
      return String(userinfo.preferred_username);
    }

    test('a wrong password does not sign in and leaves the imported hash as it was', async () => {
      await assert.rejects(signedInAs({ ...imported.bcrypt, password: 'not what brenda chose' }), /sign-in failed \(401\)/);
      assert.equal(await storedHash(imported.bcrypt.username), hashes.bcrypt);
    });

    test('a bcrypt hash signs in and is replaced by argon2id with the current parameters', async () => {
      assert.equal(await storedHash('brenda'), hashes.bcrypt, 'imported as is');
      assert.equal(await signedInAs(imported.bcrypt), 'brenda');
      assert.ok((await storedHash('brenda')).startsWith(currentArgon2), 'upgraded after the sign-in');
      assert.equal(await signedInAs(imported.bcrypt), 'brenda', 'the upgraded hash verifies the same password');
    });

    test('PHP\'s $2y$ bcrypt hashes sign in too', async () => {
      assert.equal(await signedInAs(imported.bcryptPhp), 'yusuf');
      assert.ok((await storedHash('yusuf')).startsWith(currentArgon2));
    });

    test('an argon2 hash with other parameters signs in and is brought to the current parameters', async () => {
      assert.equal(await signedInAs(imported.argon2), 'carla');
      assert.ok((await storedHash('carla')).startsWith(currentArgon2));
    });

    test('restarting with the same file keeps the upgraded hash instead of importing the old one again', async () => {
      const upgraded = await storedHash('brenda');
      await server.restart();
      assert.equal(await storedHash('brenda'), upgraded);
      assert.equal(await signedInAs(imported.bcrypt), 'brenda');
    });

    test('a different password_hash in the file replaces the stored one (a reset by the administrator)', async () => {
      const reset = await bcrypt.hash('brenda was given a new password', bcryptCost);
      const users = declarations.users.map((u) => (u.username === 'brenda' ? { username: 'brenda', password_hash: reset } : u));
      await server.restart({ declarations: { ...declarations, users } });
      assert.equal(await storedHash('brenda'), reset);
      assert.equal(await signedInAs({ username: 'brenda', password: 'brenda was given a new password' }), 'brenda');
    });
  });
}
