/*
 * Password sign-ins in the audit log, on the login page and through the password grant: the
 * person is told the same for every refusal, the audit log keeps why, with the user it named,
 * the application and the client address (as the throttles count it: behind a trusted proxy,
 * the forwarded one). What was typed as a user name is never kept when it names nobody.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as oidc from 'openid-client';
import { secretOf } from '../../helpers/applications.js';
import { expectPage } from '../../helpers/browser.js';
import { onLoginPage } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { alice, carol, mallory } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { coreDeclarations } from '../core/fixtures.js';
import { discoverRelyingParties } from '../core/steps.js';
import { oneEventOf, wholeTableAsText } from './steps.js';

const declarations = {
  ...coreDeclarations,
  applications: [...coreDeclarations.applications, { client_id: 'legacy', client_secret: secretOf('legacy'), grant_types: ['password'], response_types: [] }],
  users: [...coreDeclarations.users, { username: 'carol', password: carol.password }, { username: 'nopass', name: 'Signs in elsewhere' }],
  security: { lockout_threshold: 3, ip_threshold: 2 },
};

const loginForm = 'form[action$="/login"]';

for (const dialect of dialects) {
  describe(`password sign-ins in the audit log (${dialect})`, () => {
    let server: TestServer;
    let web: oidc.Configuration;
    const idOf = async (username: string) => (await server.services.users.findByUsername(username))!.id;

    before(async () => {
      // Each test comes from an address of its own, through the proxy, so that no throttle of one reaches another.
      server = await startServer({ declarations, dialect, env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
      ({ web } = await discoverRelyingParties(server));
    });
    after(() => server?.close());

    /** Types a user name and password on the login page from `address`: the page or redirect the browser ends on. */
    async function typeOnLoginPage(username: string, password: string, address: string) {
      const { browser, page } = await onLoginPage(server, web, 'openid');
      return browser.submit(page, loginForm, { username, password }, { 'x-forwarded-for': address });
    }

    async function refusedOnLoginPage(username: string, password: string, address: string) {
      return oneEventOf(server, 'sign_in.failed', async () => {
        const page = expectPage(await typeOnLoginPage(username, password, address));
        assert.ok(page.status === 401 || page.status === 429, `refused: ${page.status}`);
      });
    }

    test('a right password: sign_in.succeeded, by the user, for the application, from the forwarded address', async () => {
      const event = await oneEventOf(server, 'sign_in.succeeded', async () => {
        const { browser, page } = await onLoginPage(server, web, 'openid');
        const result = expectPage(await browser.submit(page, loginForm, { username: alice.username, password: alice.password }, { 'x-forwarded-for': '198.51.100.1' }));
        assert.ok(result.document.querySelector('form[action$="/consent"]'), 'signed in: on to the consent page');
      });
      const aliceId = await idOf('alice');
      assert.deepEqual(
        { outcome: event.outcome, reason: event.reason, actor: [event.actor_kind, event.actor_id], user: event.user_id, client: event.client_id, address: event.client_address, connection: event.connection_id },
        { outcome: 'success', reason: null, actor: ['user', aliceId], user: aliceId, client: 'web', address: '198.51.100.1', connection: null },
      );
      assert.deepEqual(event.details, { method: 'password', channel: 'login_page', amr: ['pwd'] });
    });

    test('a wrong password: wrong_password, the user it named, nobody as the actor', async () => {
      const event = await refusedOnLoginPage('ALICE', 'not her password at all', '198.51.100.2');
      assert.deepEqual(
        { outcome: event.outcome, reason: event.reason, actor: [event.actor_kind, event.actor_id], user: event.user_id, client: event.client_id, address: event.client_address },
        { outcome: 'failure', reason: 'wrong_password', actor: ['anonymous', null], user: await idOf('alice'), client: 'web', address: '198.51.100.2' },
      );
      assert.deepEqual(event.details, { method: 'password', channel: 'login_page' });
    });

    test('a name that names nobody: unknown_user, and what was typed is stored nowhere', async () => {
      const typed = 'maybe-my-password-typed-in-the-name-field';
      const event = await refusedOnLoginPage(typed, 'whatever was typed here', '198.51.100.3');
      assert.deepEqual([event.reason, event.user_id], ['unknown_user', null]);
      assert.ok(!(await wholeTableAsText(server.services.deps.db)).includes(typed));
    });

    test('a disabled account with its right password: disabled', async () => {
      const event = await refusedOnLoginPage(mallory.username, mallory.password, '198.51.100.4');
      assert.deepEqual([event.reason, event.user_id], ['disabled', await idOf('mallory')]);
    });

    test('a user without a password (made to sign in elsewhere): no_password', async () => {
      const event = await refusedOnLoginPage('nopass', 'any password at all', '198.51.100.5');
      assert.deepEqual([event.reason, event.user_id], ['no_password', await idOf('nopass')]);
    });

    test('a locked account, even with the right password: locked, after the failures that locked it', async () => {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const failed = await refusedOnLoginPage(carol.username, `wrong guess ${attempt} here`, '198.51.100.6');
        assert.equal(failed.reason, 'wrong_password');
      }
      const event = await refusedOnLoginPage(carol.username, carol.password, '198.51.100.6');
      assert.deepEqual([event.reason, event.user_id], ['locked', await idOf('carol')]);
    });

    test('an address with too many failing identities: throttled, no password checked', async () => {
      await refusedOnLoginPage('first-unknown-name', 'some password here', '198.51.100.7');
      await refusedOnLoginPage('second-unknown-name', 'some password here', '198.51.100.7');
      const event = await refusedOnLoginPage(alice.username, alice.password, '198.51.100.7');
      assert.deepEqual([event.reason, event.client_address, event.user_id], ['throttled', '198.51.100.7', null]);
    });

    test('the password grant records the same, through its channel and for its application', async () => {
      const grant = (password: string) => postToken(server, { grant_type: 'password', username: alice.username, password, scope: 'openid' }, { ...basicAuth('legacy', secretOf('legacy')), 'x-forwarded-for': '198.51.100.8' });
      const refused = await oneEventOf(server, 'sign_in.failed', async () => assert.equal((await grant('not her password at all')).status, 400));
      assert.deepEqual(
        { reason: refused.reason, user: refused.user_id, client: refused.client_id, address: refused.client_address, details: refused.details },
        { reason: 'wrong_password', user: await idOf('alice'), client: 'legacy', address: '198.51.100.8', details: { method: 'password', channel: 'password_grant' } },
      );
      const signedIn = await oneEventOf(server, 'sign_in.succeeded', async () => assert.equal((await grant(alice.password)).status, 200));
      assert.deepEqual([signedIn.client_id, signedIn.details.channel], ['legacy', 'password_grant']);
    });
  });
}
