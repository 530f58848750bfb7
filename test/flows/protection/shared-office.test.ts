import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInFailedMessage } from '../../../src/sign-in/password-method.js';
import { ipKey } from '../../../src/protection/ip-throttle.js';
import { skipWithoutPostgres } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { LoginForm, passwordGrant, protectionDeclarations, readCounter } from './support.js';

/** The default: 20 distinct identities failing from one address within an hour block it. */
const threshold = 20;
const spray = 'Summer2026!Summer';

/** People of one office, more of them than the threshold, each with a password of their own. */
const office = Array.from({ length: 26 }, (_, i) => {
  const username = `worker${String(i + 1).padStart(2, '0')}`;
  return { username, password: `${username} walks the long way home`, email: `${username}@example.com` };
});
/** Someone whose password is the one being sprayed. */
const weakling = { username: 'weakling', password: spray, email: 'weakling@example.com' };

function officeDeclarations(security: Record<string, unknown> = {}) {
  const declarations = protectionDeclarations(security);
  return { ...declarations, users: [...declarations.users, ...office, weakling] };
}

/**
 * The address throttle counts password spraying, not typing mistakes (issue 14): a right
 * password gives back the identity's count at the address, so colleagues behind one NAT address
 * who each mistype once and then sign in do not add up to a block. Sprayed identities do not
 * sign in, so they stay counted; getting one password right gives back only that identity's.
 */
// On PostgreSQL the same counting is the two-instance suite's below, with a lower threshold and so fewer people.
for (const dialect of ['sqlite'] as const) {
  describe(`an office behind one address (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    // The test process is the proxy, so X-Forwarded-For names the client address. Time stands still, so that every attempt falls in one window.
    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, clock: time, declarations: officeDeclarations(), env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('25 people who each mistype once and then sign in do not block the address: the 26th mistake is answered 401, and everyone can sign in', async () => {
      const address = '203.0.113.120';
      const from = { 'x-forwarded-for': address };
      for (const person of office.slice(0, 25)) {
        const form = new LoginForm(server);
        const mistyped = await form.attempt(person.username, `${person.password}!`, from);
        assert.equal(mistyped.status, 401, `${person.username} mistypes`);
        assert.equal(mistyped.error, signInFailedMessage);
        assert.equal((await readCounter(server, ipKey(address)))?.failures, 1, `${person.username}'s mistake counts until the sign-in`);
        assert.equal((await form.attempt(person.username, person.password, from)).signedIn, true, `${person.username} signs in`);
        assert.equal((await readCounter(server, ipKey(address)))?.failures ?? 0, 0, `${person.username}'s sign-in gives the count back`);
      }
      const last = office[25]!;
      const mistyped = await new LoginForm(server).attempt(last.username, 'not my password at all', from);
      assert.equal(mistyped.status, 401, 'the 26th person\'s mistake is a wrong password, not a throttled address');
      assert.equal(mistyped.error, signInFailedMessage);
      assert.equal((await readCounter(server, ipKey(address)))?.failures, 1);
      for (const person of office) assert.equal((await new LoginForm(server).attempt(person.username, person.password, from)).signedIn, true, `${person.username} signs in again`);
      assert.equal((await passwordGrant(server, office[0]!.username, office[0]!.password, from)).status, 200, 'and the password grant works');
    });

    test('a later mistake counts again, once however often it is repeated', async () => {
      const address = '203.0.113.121';
      const from = { 'x-forwarded-for': address };
      const [person] = office;
      const form = new LoginForm(server);
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < 2; i += 1) assert.equal((await form.attempt(person!.username, `typo ${round}.${i}`, from)).status, 401);
        assert.equal((await readCounter(server, ipKey(address)))?.failures, 1, `round ${round + 1}: one identity`);
        assert.equal((await form.attempt(person!.username, person!.password, from)).signedIn, true);
        assert.equal((await readCounter(server, ipKey(address)))?.failures ?? 0, 0, `round ${round + 1}: given back`);
      }
    });

    test('a sprayer who gets one password right is still throttled at the threshold of the other identities', async () => {
      const address = '203.0.113.122';
      const from = { 'x-forwarded-for': address };
      const form = new LoginForm(server);
      assert.equal((await form.attempt('weakling', 'Winter2025!Winter', from)).status, 401, 'a first guess for the weak account counts');
      for (let i = 0; i < threshold / 2; i += 1) assert.equal((await form.attempt(`sprayed${i}`, spray, from)).status, 401, `identity ${i + 1}`);
      assert.equal((await form.attempt('weakling', spray, from)).signedIn, true, 'the sprayed password is right for one account');
      assert.equal((await readCounter(server, ipKey(address)))?.failures, threshold / 2, 'only that account\'s count was given back');
      for (let i = threshold / 2; i < threshold; i += 1) assert.equal((await form.attempt(`sprayed${i}`, spray, from)).status, 401, `identity ${i + 1}`);
      const throttled = await form.attempt(`sprayed${threshold}`, spray, from);
      assert.equal(throttled.status, 429, 'the threshold-th failing identity blocked the address');
      assert.match(throttled.error ?? '', /Too many failed sign-ins came from your network/);
      assert.equal((await form.attempt('weakling', spray, from)).status, 429, 'the right password does not get past a block');
    });
  });
}

describe('an office behind one address, on two instances sharing PostgreSQL', { skip: skipWithoutPostgres }, () => {
  const ipThreshold = 6;
  let first: TestServer;
  let second: TestServer;
  let time: PinnedTime;

  before(async () => {
    time = pinTime();
    first = await startServer({ dialect: 'postgres', clock: time, declarations: officeDeclarations({ ip_threshold: ipThreshold }), env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
    second = await first.startSibling();
  });
  after(async () => {
    await first?.close();
    time?.release();
  });

  test('people who mistype on one instance and sign in on the other do not block the address; the next mistake is answered 401 on both', async () => {
    const from = { 'x-forwarded-for': '203.0.113.130' };
    const people = office.slice(0, ipThreshold + 4);
    for (const [i, person] of people.entries()) {
      const [failing, signing] = i % 2 ? [first, second] : [second, first];
      assert.equal((await new LoginForm(failing).attempt(person.username, `${person.password}?`, from)).status, 401, `${person.username} mistypes`);
      assert.equal((await new LoginForm(signing).attempt(person.username, person.password, from)).signedIn, true, `${person.username} signs in on the other instance`);
    }
    assert.equal((await readCounter(first, ipKey('203.0.113.130')))?.failures ?? 0, 0);
    for (const instance of [first, second]) {
      const next = office[ipThreshold + 4 + (instance === first ? 0 : 1)]!;
      const mistyped = await new LoginForm(instance).attempt(next.username, 'not my password at all', from);
      assert.equal(mistyped.status, 401);
      assert.equal(mistyped.error, signInFailedMessage);
    }
    for (const person of people) assert.equal((await new LoginForm(second).attempt(person.username, person.password, from)).signedIn, true);
  });

  test('a sprayer on both instances who gets one password right is still throttled at the threshold, on both', async () => {
    const from = { 'x-forwarded-for': '203.0.113.131' };
    const forms = [new LoginForm(first), new LoginForm(second)];
    assert.equal((await forms[0]!.attempt('weakling', 'Winter2025!Winter', from)).status, 401);
    assert.equal((await forms[1]!.attempt('weakling', spray, from)).signedIn, true);
    for (let i = 0; i < ipThreshold; i += 1) assert.equal((await forms[i % 2]!.attempt(`sprayed${i}`, spray, from)).status, 401, `identity ${i + 1}`);
    for (const form of forms) assert.equal((await form.attempt(`sprayed-more`, spray, from)).status, 429);
    assert.equal((await passwordGrant(second, 'weakling', spray, from)).status, 429);
  });

  test('wrong and right passwords of one identity at once on both instances give back at most what it counted', async () => {
    const address = '203.0.113.132';
    const from = { 'x-forwarded-for': address };
    const [person, colleague] = office;
    assert.equal((await new LoginForm(first).attempt(colleague!.username, 'a colleague mistypes', from)).status, 401);
    for (let round = 0; round < 3; round += 1) {
      const answers = await Promise.all(
        // Four at once, fewer than the lockout threshold, so that the account lets them all through.
        Array.from({ length: 4 }, (_, i) => passwordGrant(i % 2 ? second : first, person!.username, i === round ? person!.password : `typo ${round}.${i}`, from)),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400], `round ${round + 1}`);
      const left = (await readCounter(first, ipKey(address)))?.failures;
      assert.ok(left === 1 || left === 2, `round ${round + 1}: ${left} identities counted`);
      assert.equal((await passwordGrant(first, person!.username, person!.password, from)).status, 200);
      assert.equal((await readCounter(second, ipKey(address)))?.failures, 1, `round ${round + 1}: the colleague stays counted`);
    }
  });
});
