import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { discardingAuditLog } from '../../src/audit/audit-log.js';
import { defaults } from '../../src/config/defaults.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Services } from '../../src/services.js';
import { createPasswordSignIn, type PasswordSignIn } from '../../src/sign-in/password-sign-in.js';
import { importUsers } from '../../src/users/import/import-users.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('user-import-sign-in-secret-0123456789-abcdef');
const argon2id = 2 as Algorithm;
const currentArgon2 = `$argon2id$v=19$m=${defaults.argon2.memoryCost},t=${defaults.argon2.timeCost},p=${defaults.argon2.parallelism}$`;
const passwords = { bcrypt: 'my old bcrypt password', bcrypt2y: 'my old PHP password', argon2: 'my old argon2 password', disabled: 'a disabled password' };

for (const dialect of dialects) {
  describe(`imported users sign in with their old passwords (${dialect})`, () => {
    let opened: Awaited<ReturnType<typeof openFreshServices>>;
    let services: Services;
    let signIn: PasswordSignIn;
    const hashes: Record<string, string> = {};

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock: pinnedClock() });
      services = opened.services;
      signIn = await createPasswordSignIn({ users: services.users, protection: services.protection, hasher: services.hasher, audit: discardingAuditLog });
      hashes.bcrypt = bcrypt.hashSync(passwords.bcrypt, 4);
      // PHP's password_hash writes $2y$, the same algorithm as $2b$.
      hashes.bcrypt2y = bcrypt.hashSync(passwords.bcrypt2y, 5).replace(/^\$2b\$/, '$2y$');
      hashes.argon2 = await argon2Hash(passwords.argon2, { algorithm: argon2id, memoryCost: 4096, timeCost: 1 });
      hashes.disabled = bcrypt.hashSync(passwords.disabled, 4);
      const csv = [
        'username,email,password_hash,disabled',
        `brenda,brenda@example.com,${hashes.bcrypt},`,
        `phil,,${hashes.bcrypt2y},`,
        // An argon2 hash holds commas (m=…,t=…,p=…): quoted, as any CSV writer does.
        `arno,arno@example.com,"${hashes.argon2}",`,
        `dora,,${hashes.disabled},true`,
        'nopass,nopass@example.com,,',
      ].join('\n');
      const report = await importUsers(services, Readable.from([csv]), { format: 'csv', actor: { kind: 'cli', command: 'users import' } });
      assert.deepEqual(report, { imported: 5, skipped: 0, failed: [], failedCount: 0 });
    });
    after(() => opened?.cleanup());

    const attempt = (identifier: string, password: string) => signIn({ identifier, password, clientIp: '203.0.113.9', channel: 'password_grant', clientId: 'app' });
    const storedHash = async (username: string) => (await services.users.findByUsername(username))?.passwordHash;

    test('a bcrypt user signs in with the old password, by user name or email, and the hash is replaced by argon2id', async () => {
      assert.equal(await storedHash('brenda'), hashes.bcrypt);
      assert.deepEqual(await attempt('brenda', 'not my password'), { ok: false, reason: 'invalid_credentials' });
      assert.equal(await storedHash('brenda'), hashes.bcrypt, 'a wrong password changes nothing');
      const outcome = await attempt('Brenda@Example.com', passwords.bcrypt);
      assert.ok(outcome.ok && outcome.user.username === 'brenda');
      const upgraded = await storedHash('brenda');
      assert.ok(upgraded?.startsWith(currentArgon2), upgraded);
      assert.ok((await attempt('brenda', passwords.bcrypt)).ok, 'the same password works against the new hash');
      assert.equal(await storedHash('brenda'), upgraded, 'and is not hashed again');
    });

    test('a $2y$ bcrypt user signs in and is upgraded too', async () => {
      assert.ok((await attempt('phil', passwords.bcrypt2y)).ok);
      assert.ok((await storedHash('phil'))?.startsWith(currentArgon2));
    });

    test('an argon2 user signs in with the old password; weaker parameters are replaced by the current ones', async () => {
      assert.equal(await storedHash('arno'), hashes.argon2);
      assert.ok((await attempt('arno', passwords.argon2)).ok);
      const upgraded = await storedHash('arno');
      assert.ok(upgraded?.startsWith(currentArgon2) && upgraded !== hashes.argon2, upgraded);
      assert.ok((await attempt('arno@example.com', passwords.argon2)).ok);
    });

    test('an imported disabled user and a user imported without a hash cannot sign in with a password', async () => {
      assert.deepEqual(await attempt('dora', passwords.disabled), { ok: false, reason: 'invalid_credentials' });
      assert.equal(await storedHash('dora'), hashes.disabled);
      assert.equal(await storedHash('nopass'), undefined);
      assert.deepEqual(await attempt('nopass', ''), { ok: false, reason: 'invalid_credentials' });
    });
  });
}
