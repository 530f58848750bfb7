import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInFailedMessage } from '../../../src/sign-in/password-method.js';
import { ipKey } from '../../../src/protection/ip-throttle.js';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { alice, bob, carol, dave } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { badClientAuthentication, clientCredentials, countingHasher, LoginForm, passwordGrant, protectionDeclarations, readCounter } from './support.js';

/** The defaults: 20 distinct identities failing from one address within an hour; 5 failures lock an account. */
const threshold = 20;
const window = 3600;
const lockoutThreshold = 5;
const spray = 'Summer2026!Summer';

/**
 * The address throttle counts password spraying, not typing mistakes: the distinct identities
 * that failed from an address within the window (issue 14). The account lockout limits the
 * guesses per account; an allow-list exempts known addresses from the address throttles.
 */
for (const dialect of dialects) {
  describe(`the sign-in address throttle counts distinct identities (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;
    const hasher = countingHasher();

    // The test process is the proxy, so X-Forwarded-For names the client address. Time stands still, so that every failure falls in one window.
    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, clock: time, hasher, declarations: protectionDeclarations(), env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('a spray of one password over 25 accounts is throttled at the threshold: the attempts after it get 429 and Retry-After, and no password is checked for them', async () => {
      const from = { 'x-forwarded-for': '203.0.113.90' };
      const form = new LoginForm(server);
      for (let i = 0; i < threshold; i += 1) assert.equal((await form.attempt(`employee${i}`, spray, from)).status, 401, `account ${i + 1}`);
      const verified = hasher.verified.length;
      for (let i = threshold; i < 25; i += 1) {
        const throttled = await form.attempt(`employee${i}`, spray, from);
        assert.equal(throttled.status, 429, `account ${i + 1}`);
        const seconds = Number(throttled.retryAfter);
        assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= window, `Retry-After: ${throttled.retryAfter}`);
        assert.match(throttled.error ?? '', /Too many failed sign-ins came from your network/);
      }
      assert.equal((await form.attempt('alice', alice.password, from)).status, 429, 'a known identity is refused alike');
      assert.equal((await passwordGrant(server, 'employee0', spray, from)).status, 429, 'and so is the password grant');
      assert.equal(hasher.verified.length, verified, 'no password was checked past the threshold');
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), from)).status, 200, 'applications at the address authenticate as before');
      assert.equal((await form.attempt('employee0', spray, { 'x-forwarded-for': '203.0.113.99' })).status, 401, 'another address has its own counter');
    });

    test('one account failing 30 times from one address counts as one identity, and is locked by the account lockout with the answer of a wrong password', async () => {
      const address = '203.0.113.91';
      const from = { 'x-forwarded-for': address };
      const form = new LoginForm(server);
      for (let i = 0; i < 30; i += 1) {
        const result = await form.attempt(i % 2 ? 'carol' : 'CAROL', `mistyped ${i}`, from);
        assert.equal(result.status, 401, `attempt ${i + 1}`);
        assert.equal(result.error, signInFailedMessage);
      }
      const locked = await form.attempt('carol', carol.password, from);
      assert.equal(locked.signedIn, false, 'locked after the lockout threshold');
      assert.equal(locked.status, 401);
      assert.equal(locked.error, signInFailedMessage);
      assert.equal((await readCounter(server, ipKey(address)))?.failures, 1, 'one identity for the address');
      for (let i = 1; i < threshold; i += 1) assert.equal((await form.attempt(`colleague${i}`, spray, from)).status, 401, `identity ${i + 1}`);
      assert.equal((await form.attempt('one-too-many', spray, from)).status, 429, 'carol was the first of the 20');
    });

    test('a right password gives back what its attempt counted and the identity\'s earlier mistakes: someone who mistypes and then signs in does not count, however often', async () => {
      const address = '203.0.113.92';
      const from = { 'x-forwarded-for': address };
      const form = new LoginForm(server);
      assert.equal((await form.attempt('bob', bob.password, from)).signedIn, true);
      assert.equal((await readCounter(server, ipKey(address)))?.failures ?? 0, 0, 'a sign-in at the first try leaves no count');
      for (let round = 0; round < 3; round += 1) {
        assert.equal((await form.attempt('bob', `mistyped ${round}`, from)).status, 401);
        assert.equal((await readCounter(server, ipKey(address)))?.failures, 1, `round ${round + 1}: the mistake counts until bob signs in`);
        assert.equal((await form.attempt('bob', bob.password, from)).signedIn, true, `round ${round + 1}`);
      }
      assert.equal((await readCounter(server, ipKey(address)))?.failures ?? 0, 0, 'bob signed in after each mistake: no identity counts');
    });
  });

  describe(`allow-listed addresses (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    before(async () => {
      time = pinTime();
      const security = { ip_allowlist: ['198.51.100.0/24', '2001:db8:aa::/48'] };
      server = await startServer({ dialect, clock: time, declarations: protectionDeclarations(security), env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('an allow-listed address is never throttled by address, but its accounts still lock', async () => {
      const form = new LoginForm(server);
      for (const address of ['198.51.100.7', '2001:db8:aa:1::5']) {
        for (let i = 0; i < threshold + 5; i += 1) assert.equal((await form.attempt(`employee${i}`, spray, { 'x-forwarded-for': address })).status, 401, `${address}: identity ${i + 1}`);
        for (let i = 0; i < 30; i += 1) assert.equal((await badClientAuthentication(server, { 'x-forwarded-for': address })).status, 401, `${address}: client authentication ${i + 1}`);
        assert.equal(await readCounter(server, ipKey(address)), undefined, `${address}: nothing is counted`);
      }
      const from = { 'x-forwarded-for': '198.51.100.8' };
      for (let i = 0; i < lockoutThreshold; i += 1) assert.equal((await form.attempt('dave', `wrong ${i}`, from)).status, 401);
      const locked = await form.attempt('dave', dave.password, from);
      assert.equal(locked.signedIn, false, 'the account lockout holds on an allow-listed address');
      assert.equal(locked.error, signInFailedMessage);
      assert.equal((await form.attempt('alice', alice.password, from)).signedIn, true);
    });

    test('an address outside the list is throttled as usual', async () => {
      const form = new LoginForm(server);
      const from = { 'x-forwarded-for': '198.51.101.7' };
      for (let i = 0; i < threshold; i += 1) assert.equal((await form.attempt(`employee${i}`, spray, from)).status, 401, `identity ${i + 1}`);
      assert.equal((await form.attempt('employee-last', spray, from)).status, 429);
    });
  });
}
