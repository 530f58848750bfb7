import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInFailedMessage } from '../../../src/sign-in/password-method.js';
import { accountKey } from '../../../src/protection/account-lockout.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { alice, bob, carol, dave } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { LoginForm, passwordGrant, protectionDeclarations, readCounter } from './support.js';

/** Every way of writing Alice that must count against her one account. */
const aliceVariants = ['Alice', 'ALICE', ' alice', 'ａｌｉｃｅ', 'alice@example.com', 'ALICE@Example.COM '];

for (const dialect of dialects) {
  describe(`account lockout with the default durations (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    // The address throttle is raised so that only the account lockout is under test here. Time
    // stands still, so that a lock (the first lasts a minute) holds for every attempt that expects it.
    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, clock: time, declarations: protectionDeclarations({ ip_threshold: 10000 }) });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('20 wrong passwords under the username variants lock the account; the right one is refused until the CLI unlocks it', async () => {
      const form = new LoginForm(server);
      for (let i = 0; i < 20; i += 1) {
        const result = await form.attempt(aliceVariants[i % aliceVariants.length]!, `wrong guess ${i}`);
        assert.equal(result.status, 401, `attempt ${i + 1}`);
        assert.equal(result.error, signInFailedMessage);
      }
      for (const variant of aliceVariants) {
        const refused = await form.attempt(variant, alice.password);
        assert.equal(refused.signedIn, false, `the right password under "${variant}" while locked`);
        assert.equal(refused.status, 401);
        assert.equal(refused.error, signInFailedMessage);
      }

      const unlock = await gatehouse(server, ['users', 'unlock', 'alice']);
      assert.equal(unlock.code, 0, unlock.stderr);
      assert.match(unlock.stdout, /unlocked "Alice"/);
      assert.equal((await form.attempt('alice', alice.password)).signedIn, true);

      const again = await gatehouse(server, ['users', 'unlock', 'ALICE@example.com']);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /was not locked/);
    });

    test('the variants share one counter: the threshold is reached across them, and not before', async () => {
      const form = new LoginForm(server);
      const variants = ['bob', 'BOB', ' bob ', 'ｂｏｂ'];
      for (const variant of variants) assert.equal((await form.attempt(variant, 'not his password')).status, 401);
      // Four failures under four spellings: one short of the lock, so the right password still works and resets the count.
      assert.equal((await form.attempt('bob@example.com', bob.password)).signedIn, true);
      for (const variant of variants) await form.attempt(variant, 'not his password');
      assert.equal((await form.attempt('bob', bob.password)).signedIn, true, 'a success reset the counter');
      for (const variant of [...variants, 'bob@example.com']) await form.attempt(variant, 'not his password');
      assert.equal((await form.attempt('bob', bob.password)).signedIn, false, 'five failures under five spellings lock');
    });

    test('failures through the password grant and the login form count against one lock, enforced by both', async () => {
      assert.equal((await passwordGrant(server, 'dave', dave.password)).status, 200, 'the grant works before any failure');
      for (let i = 0; i < 3; i += 1) assert.equal((await passwordGrant(server, i % 2 ? 'DAVE' : 'dave', 'wrong')).body.error, 'invalid_grant');
      const form = new LoginForm(server);
      for (let i = 0; i < 2; i += 1) assert.equal((await form.attempt('dave', 'wrong')).status, 401);
      assert.equal((await form.attempt('dave', dave.password)).signedIn, false, 'the form refuses the right password');
      const grant = await passwordGrant(server, 'dave', dave.password);
      assert.equal(grant.status, 400, 'the grant refuses it alike');
      assert.equal(grant.body.error, 'invalid_grant');
    });

    test('unknown user names get counters too, and the CLI names a user it cannot find', async () => {
      const form = new LoginForm(server);
      for (let i = 0; i < 5; i += 1) assert.equal((await form.attempt(i % 2 ? 'Nobody' : 'ｎｏｂｏｄｙ ', 'guess')).status, 401);
      const counter = await readCounter(server, accountKey(undefined, 'nobody'));
      assert.ok(counter?.locked_until && counter.locked_until > time.now(), 'the unknown name is locked like an account');
      assert.equal((await form.attempt('nobody', 'guess')).error, signInFailedMessage);
      const missing = await gatehouse(server, ['users', 'unlock', 'nobody']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no user "nobody"/);
      const usage = await gatehouse(server, ['users', 'unlock']);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /Usage:/);
    });
  });

  describe(`account lockout expiry (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, clock: time, declarations: protectionDeclarations({ ip_threshold: 10000, lockout_threshold: 3 }) });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('a lock lifts by itself once its time (1 minute, the default first lock) has passed, and not before', async () => {
      const form = new LoginForm(server);
      for (let i = 0; i < 3; i += 1) await form.attempt('carol', 'wrong');
      assert.equal((await form.attempt('carol', carol.password)).signedIn, false, 'locked');
      time.advance(59);
      assert.equal((await form.attempt('carol', carol.password)).signedIn, false, 'still locked after 59 s');
      time.advance(1);
      assert.equal((await form.attempt('carol', carol.password)).signedIn, true, 'unlocked after 60 s');
    });
  });
}
