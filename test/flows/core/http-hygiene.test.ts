import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import pg from 'pg';
import { expectPage, expectRedirect, readForm, type Browser } from '../../helpers/browser.js';
import { obtainCallback, onLoginPage, signIn, startAuthorization } from '../../helpers/code-flow.js';
import { dialects, postgresUrl } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { postLogoutRedirectUri } from './fixtures.js';
import { startCoreServer, type RelyingParties } from './steps.js';

const loginForm = 'form[action$="/login"]';
const consentForm = 'form[action$="/consent"]';

function assertSecurityHeaders(headers: Headers, what: string) {
  const csp = headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP forbids framing`);
  assert.match(csp, /default-src 'none'/, `${what}: CSP denies by default`);
  assert.equal(headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  assert.equal(headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
  assert.match(headers.get('cache-control') ?? '', /no-store/, `${what}: Cache-Control`);
}

/** One request as a browser sends it, without following redirects, to see each status. */
async function rawPost(browser: Browser, url: string, fields: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: await browser.jar.getCookieString(url) },
    body: new URLSearchParams(fields).toString(),
  });
  for (const setCookie of response.headers.getSetCookie()) await browser.jar.setCookie(setCookie, url);
  return response;
}

/** A GET with headers fetch will not let us set (Host), straight over HTTP/1.1. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

for (const dialect of dialects) {
  describe(`HTTP hygiene (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;

    before(async () => ({ server, rp } = await startCoreServer(dialect)));
    after(() => server?.close());

    test('the login and consent pages carry the security headers', async () => {
      const { browser, page } = await onLoginPage(server, rp.web, 'openid profile');
      assert.ok(page.document.querySelector(loginForm));
      assertSecurityHeaders(page.headers, 'login page');
      const consent = expectPage(await browser.submit(page, loginForm, alice));
      assert.ok(consent.document.querySelector(consentForm), 'the consent page follows');
      assertSecurityHeaders(consent.headers, 'consent page');
    });

    test('error pages, Gatehouse\'s and oidc-provider\'s, carry the security headers', async () => {
      const browser = newBrowser(server);
      const notFound = expectPage(await browser.get(`${server.url}/no/such/page`));
      assert.equal(notFound.status, 404);
      assertSecurityHeaders(notFound.headers, 'Gatehouse 404 page');

      const { url } = await startAuthorization(rp.spa, 'openid', { redirect_uri: 'https://attacker.example/cb' });
      const engineError = expectPage(await browser.get(url.toString()));
      assert.equal(engineError.status, 400);
      assertSecurityHeaders(engineError.headers, 'oidc-provider error page');

      const { browser: other, page } = await onLoginPage(server, rp.web, 'openid profile');
      const csrfError = expectPage(await other.post(new URL(readForm(page, loginForm).action, page.url).toString(), alice));
      assert.equal(csrfError.status, 403);
      assertSecurityHeaders(csrfError.headers, 'CSRF error page');
    });

    test('oidc-provider\'s logout page carries the security headers', async () => {
      const browser = newBrowser(server);
      const tokens = await signIn(server, rp.spa, 'openid', { browser });
      const endSession = oidc.buildEndSessionUrl(rp.spa, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogoutRedirectUri });
      const page = expectPage(await browser.get(endSession.toString()));
      assert.ok(page.document.querySelector('form#op\\.logoutForm'));
      assertSecurityHeaders(page.headers, 'logout page');
    });

    test('Host and X-Forwarded-Host do not change the issuer or any endpoint', async () => {
      const { status, body } = await rawGet(`${server.url}/oidc/.well-known/openid-configuration`, {
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        forwarded: 'host=evil.example;proto=https',
      });
      assert.equal(status, 200);
      const metadata = JSON.parse(body) as Record<string, unknown>;
      assert.equal(metadata.issuer, server.issuer);
      assert.equal(metadata.authorization_endpoint, `${server.issuer}/auth`);
      assert.ok(!body.includes('evil.example'));
    });

    test('/healthz and /readyz answer', async () => {
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });
    });

    test('/readyz says 503 while the database refuses connections, and the process survives it', { skip: dialect === 'postgres' ? false : 'needs a PostgreSQL server to take away' }, async () => {
      const name = new URL(server.config.databaseUrl!).pathname.slice(1);
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        // Refuse new connections and cut the open ones, as a database restart or failover does.
        await admin.query(`alter database ${name} allow_connections false`);
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
        const down = await fetch(`${server.url}/readyz`);
        assert.equal(down.status, 503);
        assert.deepEqual(await down.json(), { status: 'unavailable', reason: 'database unreachable' });
        assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the process is alive');
      } finally {
        await admin.query(`alter database ${name} allow_connections true`);
        await admin.end();
      }
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200, 'ready again once the database is back');
    });

    test('redirects after form posts are 303: login, consent, deny and logout', async () => {
      const { browser, page } = await onLoginPage(server, rp.web, 'openid profile');
      const login = readForm(page, loginForm);
      const afterLogin = await rawPost(browser, new URL(login.action, page.url).toString(), { ...login.fields, ...alice });
      assert.equal(afterLogin.status, 303, 'after the login post');

      const consent = expectPage(await browser.get(new URL(afterLogin.headers.get('location')!, page.url).toString()));
      const approve = readForm(consent, consentForm);
      const afterConsent = await rawPost(browser, new URL(approve.action, consent.url).toString(), approve.fields);
      assert.equal(afterConsent.status, 303, 'after the consent post');

      const { page: second, browser: another } = await onLoginPage(server, rp.web, 'openid profile');
      const abort = readForm(second, 'form[action$="/abort"]');
      const afterAbort = await rawPost(another, new URL(abort.action, second.url).toString(), abort.fields);
      assert.equal(afterAbort.status, 303, 'after the cancel post');
      const denied = new URL(expectRedirect(await another.get(new URL(afterAbort.headers.get('location')!, second.url).toString())));
      assert.equal(denied.searchParams.get('error'), 'access_denied', 'cancelling tells the application');

      const spaBrowser = newBrowser(server);
      const tokens = await signIn(server, rp.spa, 'openid', { browser: spaBrowser });
      const endSession = oidc.buildEndSessionUrl(rp.spa, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogoutRedirectUri });
      const logoutPage = expectPage(await spaBrowser.get(endSession.toString()));
      const logout = readForm(logoutPage, 'form#op\\.logoutForm');
      const afterLogout = await rawPost(spaBrowser, new URL(logout.action, logoutPage.url).toString(), { ...logout.fields, logout: 'yes' });
      assert.equal(afterLogout.status, 303, 'after the logout confirmation post');
    });

    test('the authorization response carries iss (RFC 9207)', async () => {
      const { callback } = await obtainCallback(newBrowser(server), rp.web, 'openid');
      assert.equal(callback.searchParams.get('iss'), server.issuer);
      assert.ok(callback.searchParams.get('code'));
    });
  });
}
