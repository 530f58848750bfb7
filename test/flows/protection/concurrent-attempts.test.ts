import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInFailedMessage } from '../../../src/sign-in/password-method.js';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { alice, carol, dave } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { accountKey } from '../../../src/protection/account-lockout.js';
import { auditEvents } from '../audit/steps.js';
import { badClientAuthentication, countStatuses, LoginForm, passwordGrant, protectionDeclarations, readCounter } from './support.js';

const lockoutThreshold = 3;
const ipThreshold = 5;
const clientAuthThreshold = 5;

/** One client address per attempt, so that only the account's counter is at work. */
const ownAddress = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i + 1}` });

/**
 * Attempts sent at once are counted before any password is verified, so a burst gets no more
 * verifications than the threshold allows. The right password follows three times the threshold
 * of wrong ones: it could only get through if the wrong ones were not counted yet.
 */
for (const dialect of dialects) {
  describe(`concurrent sign-in attempts (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    // The test process is the proxy, so X-Forwarded-For names each attempt's client address.
    // Time stands still, so that a lock or block still holds when the attempt after the burst checks it.
    before(async () => {
      time = pinTime();
      server = await startServer({
        dialect,
        clock: time,
        declarations: protectionDeclarations({ lockout_threshold: lockoutThreshold, ip_threshold: ipThreshold, client_auth_threshold: clientAuthThreshold }),
        env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' },
      });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    /** The user's account counter once the wrong guesses have reached the threshold (counted, not necessarily verified yet). */
    async function thresholdCounted(username: string) {
      const key = accountKey((await server.services.users.findByUsername(username))!.id, username);
      for (;;) {
        const counter = await readCounter(server, key);
        if ((counter?.failures ?? 0) >= lockoutThreshold || (counter?.locked_until ?? null) !== null) return key;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }

    /** Why each of the user's refused attempts was refused, as the audit log keeps it: { wrong_password: 3, locked: 7 }. */
    async function refusals(username: string): Promise<Record<string, number>> {
      const userId = (await server.services.users.findByUsername(username))!.id;
      const counts: Record<string, number> = {};
      for (const event of await auditEvents(server, 'sign_in.failed')) {
        if (event.user_id === userId) counts[event.reason!] = (counts[event.reason!] ?? 0) + 1;
      }
      return counts;
    }

    /*
     * The wrong guesses go at once; the right password follows as soon as the threshold of them
     * is counted, while the rest may still be in flight (sent together with them, it could arrive
     * first and rightly get through). Only the threshold of guesses is verified: the others are
     * refused before their password is looked at, as the audit log's reasons show.
     */
    test('login form: of a burst of wrong guesses only the threshold is verified, the right password behind them is refused, and the account is locked once', async () => {
      const wrong = 3 * lockoutThreshold;
      const forms = await Promise.all(Array.from({ length: wrong + 1 }, () => new LoginForm(server).ready()));
      const burst = Promise.all(forms.slice(0, wrong).map((form, i) => form.attempt('carol', `wrong guess ${i}`, ownAddress(i))));
      const key = await thresholdCounted('carol');
      const right = await forms[wrong]!.attempt('carol', carol.password, ownAddress(wrong));
      for (const [i, result] of [...(await burst), right].entries()) {
        assert.equal(result.signedIn, false, `attempt ${i + 1}`);
        assert.equal(result.status, 401, `attempt ${i + 1}`);
        assert.equal(result.error, signInFailedMessage, `attempt ${i + 1}`);
      }
      const afterwards = await new LoginForm(server).attempt('carol', carol.password, ownAddress(100));
      assert.equal(afterwards.signedIn, false, 'still locked after the burst');
      assert.deepEqual(await refusals('carol'), { wrong_password: lockoutThreshold, locked: wrong + 2 - lockoutThreshold });
      assert.equal((await readCounter(server, key))?.lock_count, 1);
    });

    test('password grant: of a burst of wrong guesses only the threshold is verified, and the right password behind them is refused', async () => {
      const wrong = 3 * lockoutThreshold;
      const burst = Promise.all(Array.from({ length: wrong }, (_, i) => passwordGrant(server, 'dave', `wrong guess ${i}`, ownAddress(i))));
      const key = await thresholdCounted('dave');
      const right = await passwordGrant(server, 'dave', dave.password, ownAddress(wrong));
      for (const [i, answer] of [...(await burst), right].entries()) {
        assert.equal(answer.status, 400, `attempt ${i + 1}`);
        assert.equal(answer.body.error, 'invalid_grant', `attempt ${i + 1}`);
      }
      assert.equal((await passwordGrant(server, 'dave', dave.password, ownAddress(100))).status, 400, 'still locked after the burst');
      assert.deepEqual(await refusals('dave'), { wrong_password: lockoutThreshold, locked: wrong + 2 - lockoutThreshold });
      assert.equal((await readCounter(server, key))?.lock_count, 1);
    });

    test('a burst of guesses from one address through the login form: exactly the threshold is verified, the rest get 429', async () => {
      const from = { 'x-forwarded-for': '203.0.113.70' };
      const forms = await Promise.all(Array.from({ length: ipThreshold + 3 }, () => new LoginForm(server).ready()));
      const results = await Promise.all(forms.map((form, i) => form.attempt(`employee${i}`, 'Summer2026!', from)));
      assert.deepEqual(countStatuses(results.map((r) => r.status)), { 401: ipThreshold, 429: 3 });
    });

    test('a burst of guesses from one address through the password grant: exactly the threshold is verified, the rest get 429', async () => {
      const from = { 'x-forwarded-for': '203.0.113.71' };
      const answers = await Promise.all(Array.from({ length: ipThreshold + 3 }, (_, i) => passwordGrant(server, `employee${i}`, 'Summer2026!', from)));
      assert.deepEqual(countStatuses(answers.map((a) => a.status)), { 400: ipThreshold, 429: 3 });
    });

    test('a burst of bad client secrets from one address is counted in full: the application is blocked at the address after it', async () => {
      const from = { 'x-forwarded-for': '203.0.113.72' };
      const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => badClientAuthentication(server, from, i % 2 ? 'TOKEN' : 'token/')));
      await Promise.all(responses.map((r) => r.body?.cancel()));
      // Client authentications are checked first and counted when they fail (a secret is not guessable in a
      // burst); none of them got through, and the application is blocked at the address for whatever comes next.
      assert.ok(responses.every((r) => r.status === 401 || r.status === 429), JSON.stringify(countStatuses(responses.map((r) => r.status))));
      const next = await badClientAuthentication(server, from);
      await next.body?.cancel();
      assert.equal(next.status, 429);
    });

    test('a burst of good client authentications from one address is never throttled: only failures count', async () => {
      const from = { 'x-forwarded-for': '203.0.113.74' };
      const clientCredentials = () => postToken(server, { grant_type: 'client_credentials' }, { ...basicAuth('web', secretOf('web')), ...from });
      const responses = await Promise.all(Array.from({ length: clientAuthThreshold * 3 }, clientCredentials));
      assert.deepEqual(countStatuses(responses.map((r) => r.status)), { 200: clientAuthThreshold * 3 });
    });

    test('successful sign-ins give their attempt back: only failures spend the address budget', async () => {
      const from = { 'x-forwarded-for': '203.0.113.73' };
      for (let i = 0; i < ipThreshold + 3; i += 1) assert.equal((await passwordGrant(server, 'alice', alice.password, from)).status, 200, `sign-in ${i + 1}`);
      const form = new LoginForm(server);
      assert.equal((await form.attempt('alice', alice.password, from)).signedIn, true);
      for (let i = 0; i < ipThreshold; i += 1) assert.equal((await passwordGrant(server, `stranger${i}`, 'guess', from)).status, 400, `failure ${i + 1}`);
      assert.equal((await passwordGrant(server, 'alice', alice.password, from)).status, 429, 'the threshold-th failure blocks');
    });
  });
}
