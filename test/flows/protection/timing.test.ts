import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { countingHasher, LoginForm, passwordGrant, protectionDeclarations } from './support.js';

/**
 * A failed sign-in takes as long whatever made it fail, so that the answer's timing does not
 * tell whether an account exists: each one verifies exactly one password hash of the same cost
 * (a dummy argon2id hash when there is no user). Counting verifications instead of timing them
 * fails for certain when a refusal skips the hash, however busy the machine is.
 */
for (const dialect of dialects) {
  describe(`failed sign-ins all verify one hash of the same cost (${dialect})`, () => {
    let server: TestServer;
    const hasher = countingHasher();

    before(async () => {
      server = await startServer({ dialect, hasher, declarations: protectionDeclarations({ lockout_threshold: 3 }) });
    });
    after(() => server?.close());

    async function verificationsOf(attempt: () => Promise<unknown>): Promise<string[]> {
      const before = hasher.verified.length;
      await attempt();
      return hasher.verified.slice(before);
    }

    test('unknown user, wrong password, disabled user and locked account, at the login page and the password grant', async () => {
      const form = new LoginForm(server);
      const [reference] = await verificationsOf(() => form.attempt('alice', 'a wrong password'));
      assert.match(reference ?? '', /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+$/, 'a wrong password verifies the stored argon2id hash');
      for (let i = 0; i < 3; i += 1) await form.attempt('bob', 'a wrong password');
      const refusals: Array<[string, () => Promise<unknown>]> = [
        ['unknown user', () => form.attempt('nobody-at-all', 'a wrong password')],
        ['unknown email', () => form.attempt('nobody@example.com', 'a wrong password')],
        ['wrong password', () => form.attempt('carol', 'a wrong password')],
        ['disabled user, right password', () => form.attempt('mallory', 'mallory is not allowed in')],
        ['locked account, right password', () => form.attempt('bob', 'bob rides a blue bicycle')],
        ['password grant, unknown user', () => passwordGrant(server, 'nobody-at-all', 'a wrong password')],
        ['password grant, wrong password', () => passwordGrant(server, 'dave', 'a wrong password')],
      ];
      for (const [what, attempt] of refusals) {
        assert.deepEqual(await verificationsOf(attempt), [reference], what);
      }
    });

    test('the attempts above were refused as they should be', async () => {
      const form = new LoginForm(server);
      assert.equal((await form.attempt('nobody-at-all', 'a wrong password')).status, 401);
      assert.equal((await form.attempt('bob', 'bob rides a blue bicycle')).status, 401, 'bob is locked');
      assert.equal((await passwordGrant(server, 'nobody-at-all', 'a wrong password')).status, 400);
    });
  });
}
