import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { signInFailedMessage } from '../../../src/sign-in/password-method.js';
import { secretOf } from '../../helpers/applications.js';
import { authorizationUrl } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice, carol, dave, mallory } from '../../helpers/people.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { scopes, users, webApp } from './fixtures.js';
import { verifyIdToken } from './steps.js';

const lockoutThreshold = 3;
const ipThreshold = 4;

const declarations = {
  users: [...users, dave],
  scopes,
  security: { lockout_threshold: lockoutThreshold, ip_threshold: ipThreshold },
  applications: [
    {
      client_id: 'legacy',
      client_secret: secretOf('legacy'),
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['password', 'refresh_token'],
      scope: 'openid profile email offline_access employee',
    },
    { client_id: 'legacy-no-refresh', client_secret: secretOf('legacy-no-refresh'), grant_types: ['password'] },
    webApp('login-page', { grant_types: ['authorization_code'] }),
  ],
};

/** Each test that fails sign-ins does so from an address of its own, so their counters stay apart. */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

for (const dialect of protocolDialects) {
  describe(`password grant (${dialect})`, () => {
    let server: TestServer;
    let legacy: oidc.Configuration;
    let time: PinnedTime;

    // Time stands still unless a test moves it: auth_time is known to the second, and a lock or
    // block holds for every attempt that expects it.
    before(async () => {
      time = pinTime();
      // The test client is the proxy, so that X-Forwarded-For names the client address.
      server = await startServer({ declarations, dialect, clock: time, env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
      legacy = await oidc.discovery(new URL(server.issuer), 'legacy', secretOf('legacy'), undefined, insecure);
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    const asLegacy = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      postToken(server, { grant_type: 'password', client_id: 'legacy', client_secret: secretOf('legacy'), ...fields }, headers);

    test('username and password give an access token and an id_token with the right aud, sub and auth_time', async () => {
      const { status, body } = await asLegacy({ username: alice.username, password: alice.password, scope: 'openid profile employee' });
      assert.equal(status, 200);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.scope, 'openid profile employee');
      assert.equal(body.refresh_token, undefined, 'no refresh token without offline_access');
      const claims = await verifyIdToken(server, body.id_token as string, { audience: 'legacy' });
      assert.equal(claims.aud, 'legacy');
      assert.equal(typeof claims.auth_time, 'number');
      assert.equal(claims.auth_time, Math.floor(time.now() / 1000), 'auth_time is the moment of the password check');
      assert.deepEqual(claims.amr, ['pwd'], 'RFC 8176: a password');
      assert.equal(claims.nonce, undefined);
      const userinfo = await oidc.fetchUserInfo(legacy, body.access_token as string, claims.sub!);
      assert.equal(userinfo.sub, claims.sub);
      assert.equal(userinfo.name, 'Alice Liddell');
      assert.equal(userinfo.department, 'Research');
    });

    test('the email address works as the username', async () => {
      const { status } = await asLegacy({ username: 'alice@example.com', password: alice.password, scope: 'openid' });
      assert.equal(status, 200);
    });

    test('offline_access gives a refresh token to an application with the refresh_token grant, and it refreshes', async () => {
      const { body } = await asLegacy({ username: alice.username, password: alice.password, scope: 'openid offline_access' });
      assert.equal(typeof body.refresh_token, 'string');
      assert.equal(body.scope, 'openid offline_access');
      const first = await verifyIdToken(server, body.id_token as string, { audience: 'legacy' });
      time.advance(10);
      const refreshed = await oidc.refreshTokenGrant(legacy, body.refresh_token as string);
      const again = refreshed.claims()!;
      assert.equal(again.sub, first.sub);
      assert.equal(again.iat, first.iat! + 10, 'the refresh is issued later');
      assert.equal(again.auth_time, first.auth_time, 'refreshing is not a new authentication');
    });

    test('offline_access gives no refresh token to an application without the refresh_token grant', async () => {
      const { status, body } = await postToken(
        server,
        { grant_type: 'password', username: alice.username, password: alice.password, scope: 'openid offline_access' },
        basicAuth('legacy-no-refresh', secretOf('legacy-no-refresh')),
      );
      assert.equal(status, 200);
      assert.equal(body.refresh_token, undefined);
      assert.equal(body.scope, 'openid');
    });

    test('without the openid scope there is an access token and no id_token', async () => {
      const { body } = await asLegacy({ username: alice.username, password: alice.password, scope: 'profile' });
      assert.ok(body.access_token);
      assert.equal(body.id_token, undefined);
    });

    test('a wrong password, an unknown user and a disabled user get the same invalid_grant answer', async () => {
      const answers = [];
      for (const [index, [username, password]] of [
        [carol.username, 'not carols password'],
        ['nobody-by-this-name', 'whatever password'],
        [mallory.username, mallory.password],
      ].entries()) {
        const { status, body } = await asLegacy({ username: username!, password: password!, scope: 'openid' }, from(`198.51.100.${index + 1}`));
        answers.push({ status, body });
      }
      assert.deepEqual(answers[0], { status: 400, body: { error: 'invalid_grant', error_description: 'grant request is invalid' } });
      assert.deepEqual(answers[1], answers[0]);
      assert.deepEqual(answers[2], answers[0]);
    });

    test('missing credentials are invalid_request; a scope outside the application\'s scope is invalid_scope', async () => {
      const missing = await asLegacy({ username: alice.username, scope: 'openid' });
      assert.equal(missing.body.error, 'invalid_request');
      assert.match(missing.body.error_description as string, /password/);
      const outside = await asLegacy({ username: alice.username, password: alice.password, scope: 'openid phone' });
      assert.equal(outside.body.error, 'invalid_scope');
    });

    test('a DPoP proof is refused rather than silently answered with a bearer token', async () => {
      const { status, body } = await asLegacy({ username: alice.username, password: alice.password, scope: 'openid' }, { dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.sig' });
      assert.equal(status, 400);
      assert.equal(body.error, 'invalid_request');
      assert.equal(body.access_token, undefined);
    });

    test('a wrong client secret is invalid_client, whatever the user\'s password', async () => {
      const { status, body } = await postToken(server, {
        grant_type: 'password', client_id: 'legacy', client_secret: 'wrong-secret-0123456789-0123456789', username: alice.username, password: alice.password,
      }, from('198.51.100.20'));
      assert.equal(status, 401);
      assert.equal(body.error, 'invalid_client');
      assert.equal(body.access_token, undefined);
    });

    test('failures through the password grant lock the account for the login page too', async () => {
      for (let attempt = 0; attempt < lockoutThreshold; attempt += 1) {
        const { body } = await asLegacy({ username: dave.username, password: `wrong guess ${attempt}`, scope: 'openid' }, from('198.51.100.30'));
        assert.equal(body.error, 'invalid_grant');
      }
      const locked = await asLegacy({ username: dave.username, password: dave.password, scope: 'openid' }, from('198.51.100.31'));
      assert.equal(locked.status, 400);
      assert.equal(locked.body.error, 'invalid_grant', 'the right password does not open a locked account');

      const url = authorizationUrl(server, { client_id: 'login-page', response_type: 'code', scope: 'openid' });
      await assert.rejects(callbackFor(newBrowser(server), url, dave), { message: `sign-in failed (401): ${signInFailedMessage}` }, 'refused like a wrong password');
    });

    test('too many failures from one address get 429 with Retry-After, while other addresses go on', async () => {
      // The address throttle counts distinct identities that failed (docs/security.md), so each guess names another account.
      for (let attempt = 0; attempt < ipThreshold; attempt += 1) {
        const { status } = await asLegacy({ username: attempt === 0 ? carol.username : `sprayed${attempt}`, password: `guess ${attempt}`, scope: 'openid' }, from('203.0.113.9'));
        assert.equal(status, 400);
      }
      const throttled = await asLegacy({ username: alice.username, password: alice.password, scope: 'openid' }, from('203.0.113.9'));
      assert.equal(throttled.status, 429);
      assert.match(throttled.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.equal(throttled.body.error, 'temporarily_unavailable');
      assert.equal(throttled.body.access_token, undefined);

      const elsewhere = await asLegacy({ username: alice.username, password: alice.password, scope: 'openid' }, from('203.0.113.10'));
      assert.equal(elsewhere.status, 200);
    });
  });
}
