import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signInFailedMessage } from '../../../src/sign-in/password-method.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { badClientAuthentication, LoginForm, passwordGrant, protectionDeclarations } from './support.js';

/** The defaults: 20 distinct identities per hour for sign-ins, 20 failures a minute for each application's authentications. */
const threshold = 20;
const signInWindow = 3600;
const clientAuthWindow = 60;

function assertRetryAfter(value: string | null, window: number): void {
  const seconds = Number(value);
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= window, `Retry-After: ${value}`);
}

for (const dialect of dialects) {
  describe(`IP throttling behind a trusted proxy (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    // The test process is the proxy: 127.0.0.1 is trusted, so X-Forwarded-For names the client.
    // Time stands still, so that the failures fall in one window and a block outlasts the tests that rely on it.
    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, clock: time, declarations: protectionDeclarations(), env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('a password spray from one address gets 429 with Retry-After after 20 identities failed; other addresses do not', async () => {
      const form = new LoginForm(server);
      const from = { 'x-forwarded-for': '203.0.113.10' };
      for (let i = 0; i < threshold; i += 1) {
        const result = await form.attempt(`employee${i}`, 'Summer2026!', from);
        assert.equal(result.status, 401, `attempt ${i + 1}`);
      }
      const throttled = await form.attempt('employee20', 'Summer2026!', from);
      assert.equal(throttled.status, 429);
      assertRetryAfter(throttled.retryAfter, signInWindow);
      assert.match(throttled.page!.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(throttled.error ?? '', /Too many failed sign-ins came from your network/);

      const rightPassword = await form.attempt('alice', alice.password, from);
      assert.equal(rightPassword.status, 429, 'nothing is checked for a throttled address');
      const grant = await passwordGrant(server, 'alice', alice.password, from);
      assert.equal(grant.status, 429, 'the password grant is throttled alike');
      assertRetryAfter(grant.headers.get('retry-after'), signInWindow);
      assert.equal(grant.body.error, 'temporarily_unavailable');
      const elsewhere = await form.attempt('employee21', 'Summer2026!', { 'x-forwarded-for': '203.0.113.11' });
      assert.equal(elsewhere.status, 401, 'the forwarded address is the client, and it has its own counter');
      assert.equal(elsewhere.error, signInFailedMessage);
    });

    test('failed client authentications are throttled with 429, Retry-After and an OAuth error, whatever the endpoint and response format, for that application only', async () => {
      const from = { 'x-forwarded-for': '203.0.113.20' };
      const endpoints = ['token', 'token/introspection', 'token/revocation'] as const;
      for (let i = 0; i < threshold; i += 1) {
        const response = await badClientAuthentication(server, { ...from, ...(i % 2 ? { accept: 'text/html' } : {}) }, endpoints[i % 3]);
        assert.equal(response.status, 401, `attempt ${i + 1} at ${endpoints[i % 3]}`);
        if (i % 2 === 0) assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
        else await response.body?.cancel();
      }
      const throttled = await badClientAuthentication(server, from);
      assert.equal(throttled.status, 429);
      assertRetryAfter(throttled.headers.get('retry-after'), clientAuthWindow);
      assert.equal(throttled.headers.get('cache-control'), 'no-store');
      const body = (await throttled.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'temporarily_unavailable');
      assert.match(body.error_description, /too many failed authentications of this application from this address/);

      const rightSecret = await postToken(server, { grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri }, { ...from, ...basicAuth('web', secretOf('web')) });
      assert.equal(rightSecret.status, 429, 'credentials are not even checked for a throttled application at this address');
      assert.equal((await new LoginForm(server).attempt('alice', alice.password, from)).signedIn, true, 'the login page has counters of its own');
    });

    test('every spelling the engine routes is counted: any case, one trailing slash', async () => {
      const from = { 'x-forwarded-for': '203.0.113.60' };
      const spellings = ['TOKEN', 'token/', 'Token/Introspection', 'token/REVOCATION/'];
      for (let i = 0; i < threshold; i += 1) {
        const spelling = spellings[i % spellings.length]!;
        const response = await badClientAuthentication(server, from, spelling);
        assert.equal(response.status, 401, `attempt ${i + 1} at ${spelling}: the engine serves it and refuses the client`);
        await response.body?.cancel();
      }
      for (const spelling of [...spellings, 'token']) {
        const response = await badClientAuthentication(server, from, spelling);
        assert.equal(response.status, 429, spelling);
        await response.body?.cancel();
      }
    });

    test('gatehouse ips unblock lifts a throttle at once', async () => {
      const from = { 'x-forwarded-for': '203.0.113.20' };
      assert.equal((await badClientAuthentication(server, from)).status, 429);
      const result = await gatehouse(server, ['ips', 'unblock', '203.0.113.20']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await badClientAuthentication(server, from)).status, 401);
      assert.equal((await gatehouse(server, ['ips', 'unblock', 'not-an-address'])).code, 1);
    });

    test('addresses a client puts in front of the proxy\'s entry, or in a Forwarded header, do not help', async () => {
      for (let i = 0; i < threshold; i += 1) {
        const response = await badClientAuthentication(server, {
          'x-forwarded-for': `198.51.100.${i}, 203.0.113.30`,
          forwarded: `for=192.0.2.${i}`,
        });
        assert.equal(response.status, 401, `attempt ${i + 1}`);
      }
      const throttled = await badClientAuthentication(server, { 'x-forwarded-for': '198.51.100.99, 203.0.113.30', forwarded: 'for=192.0.2.99' });
      assert.equal(throttled.status, 429);
    });

    test('Host and X-Forwarded-Host from a trusted proxy change no URL', async () => {
      const response = await fetch(`${server.url}/oidc/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example;proto=https' },
      });
      const metadata = (await response.json()) as { issuer: string; token_endpoint: string };
      assert.equal(metadata.issuer, server.issuer);
      assert.equal(metadata.token_endpoint, `${server.issuer}/token`);
    });

    test('IPv6 clients are counted by their /64', async () => {
      for (let i = 0; i < threshold; i += 1) {
        assert.equal((await badClientAuthentication(server, { 'x-forwarded-for': `2001:db8:5:6::${(i + 1).toString(16)}` })).status, 401);
      }
      assert.equal((await badClientAuthentication(server, { 'x-forwarded-for': '2001:db8:5:6:ffff::1' })).status, 429);
      assert.equal((await badClientAuthentication(server, { 'x-forwarded-for': '2001:db8:5:7::1' })).status, 401);
    });
  });
}
