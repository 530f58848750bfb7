import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientAuthKey } from '../../../src/protection/client-auth-limits.js';
import { ipKey } from '../../../src/protection/ip-throttle.js';
import { skipWithoutPostgres } from '../../helpers/databases.js';
import { bob, carol } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { secretOf } from '../../helpers/applications.js';
import { badClientAuthentication, clientCredentials, countStatuses, LoginForm, passwordGrant, protectionDeclarations, readCounter } from './support.js';

const ipThreshold = 6;
const clientAuthThreshold = 6;
/** The default, as the first test relies on. */
const lockoutThreshold = 5;

describe('limits shared by two instances on one PostgreSQL database', { skip: skipWithoutPostgres }, () => {
  let first: TestServer;
  let second: TestServer;
  let time: PinnedTime;

  // Time stands still, so that a lock or block still holds when the other instance checks it.
  before(async () => {
    time = pinTime();
    first = await startServer({
      dialect: 'postgres',
      clock: time,
      declarations: protectionDeclarations({ ip_threshold: ipThreshold, client_auth_threshold: clientAuthThreshold }),
      env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' },
    });
    second = await first.startSibling();
  });
  after(async () => {
    await first?.close();
    time?.release();
  });

  test('failures on both instances add up to one account lock, enforced by both', async () => {
    const forms = [new LoginForm(first), new LoginForm(second)];
    // Each attempt from its own address, so that only the account counter is at work.
    const from = (i: number) => ({ 'x-forwarded-for': `203.0.113.${100 + i}` });
    for (let i = 0; i < 4; i += 1) assert.equal((await forms[i % 2]!.attempt('bob', 'wrong', from(i))).status, 401);
    assert.equal((await forms[1]!.attempt('bob', bob.password, from(4))).signedIn, true, 'four failures do not lock');
    for (let i = 0; i < 5; i += 1) await forms[i % 2]!.attempt(i % 2 ? 'BOB' : 'bob@example.com', 'wrong', from(10 + i));
    assert.equal((await forms[0]!.attempt('bob', bob.password, from(20))).signedIn, false, 'locked on the first instance');
    assert.equal((await forms[1]!.attempt('bob', bob.password, from(21))).signedIn, false, 'locked on the second instance');
  });

  test('identities failing from one address on both instances add up to one throttle, enforced by both, and no password is checked past it', async () => {
    const from = { 'x-forwarded-for': '203.0.113.30' };
    const forms = [new LoginForm(first), new LoginForm(second)];
    for (let i = 0; i < ipThreshold; i += 1) assert.equal((await forms[i % 2]!.attempt(`employee${i}`, 'Summer2026!', from)).status, 401, `identity ${i + 1}`);
    assert.equal((await forms[0]!.attempt('newcomer', 'Summer2026!', from)).status, 429);
    assert.equal((await forms[1]!.attempt('bob', bob.password, from)).status, 429, 'the other instance refuses even the right password');
    assert.equal((await passwordGrant(second, 'employee0', 'Summer2026!', from)).status, 429);
  });

  test('one identity failing on both instances counts once for the address', async () => {
    const from = { 'x-forwarded-for': '203.0.113.31' };
    for (let i = 0; i < 2 * lockoutThreshold; i += 1) {
      const answer = i % 2 ? await passwordGrant(second, 'same-person', `guess ${i}`, from) : await new LoginForm(first).attempt('Same-Person', `guess ${i}`, from);
      assert.notEqual(answer.status, 429, `attempt ${i + 1}`);
    }
    assert.equal((await readCounter(first, ipKey('203.0.113.31')))?.failures, 1);
  });

  test('a burst of distinct identities spread over both instances: exactly the threshold is verified, the rest get 429', async () => {
    const from = { 'x-forwarded-for': '203.0.113.32' };
    const answers = await Promise.all(Array.from({ length: ipThreshold + 4 }, (_, i) => passwordGrant(i % 2 ? second : first, `sprayed${i}`, 'Summer2026!', from)));
    assert.deepEqual(countStatuses(answers.map((a) => a.status)), { 400: ipThreshold, 429: 4 });
  });

  test('failed authentications of one application from one address on both instances add up to one throttle, enforced by both', async () => {
    const from = { 'x-forwarded-for': '203.0.113.40' };
    for (let i = 0; i < clientAuthThreshold; i += 1) {
      assert.equal((await badClientAuthentication(i % 2 ? second : first, from)).status, 401, `attempt ${i + 1}`);
    }
    assert.equal((await badClientAuthentication(first, from)).status, 429);
    assert.equal((await badClientAuthentication(second, from)).status, 429);
    assert.equal((await clientCredentials(second, 'reports', secretOf('reports'), from)).status, 200, 'another application is not affected');
  });

  test('concurrent failures on both instances are each counted exactly once', async () => {
    const from = { 'x-forwarded-for': '203.0.113.50' };
    const responses = await Promise.all(
      Array.from({ length: clientAuthThreshold - 1 }, (_, i) => badClientAuthentication(i % 2 ? second : first, from)),
    );
    assert.deepEqual(responses.map((r) => r.status), Array(clientAuthThreshold - 1).fill(401));
    assert.equal((await readCounter(first, clientAuthKey('203.0.113.50', 'web')))?.failures, clientAuthThreshold - 1);
    assert.equal((await badClientAuthentication(second, from)).status, 401, 'the last failure before the threshold');
    assert.equal((await badClientAuthentication(first, from)).status, 429);
  });

  test('a burst of bad client secrets spread over both instances blocks the application at the address on both', async () => {
    const from = { 'x-forwarded-for': '203.0.113.60' };
    const responses = await Promise.all(Array.from({ length: 3 * clientAuthThreshold }, (_, i) => badClientAuthentication(i % 2 ? second : first, from)));
    await Promise.all(responses.map((r) => r.body?.cancel()));
    assert.ok(responses.every((r) => r.status === 401 || r.status === 429));
    for (const instance of [first, second]) {
      const next = await badClientAuthentication(instance, from);
      await next.body?.cancel();
      assert.equal(next.status, 429);
    }
  });

  test('a burst of wrong passwords spread over both instances: the right one sent behind them is refused', async () => {
    const wrong = 3 * lockoutThreshold;
    const answers = await Promise.all(
      Array.from({ length: wrong + 1 }, (_, i) =>
        passwordGrant(i % 2 ? second : first, 'carol', i < wrong ? `wrong guess ${i}` : carol.password, { 'x-forwarded-for': `198.51.100.${i + 1}` })),
    );
    assert.deepEqual(answers.map((a) => a.status), Array(wrong + 1).fill(400));
    assert.equal((await passwordGrant(first, 'carol', carol.password, { 'x-forwarded-for': '198.51.100.200' })).status, 400, 'locked on both');
  });
});
