/*
 * The sign-in pages' branding through the management API, over HTTP on the real server: the
 * defaults, a change read back and shown on the next page (its title, its brand line, the
 * stylesheet's accent at a versioned URL), on a sibling instance sharing PostgreSQL too; every
 * bad field refused by name with nothing changed; the change in the audit log; callers the API
 * refuses change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, type Page } from '../../helpers/browser.js';
import { onLoginPage, obtainCallback, redeem } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { apiClient, automation, callApi, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { eventsOf, oneEventOf } from '../audit/steps.js';

/** The pages' CSP before branding existed, byte for byte: the logo and the stylesheet are Gatehouse's own. */
const pagesCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const consoleApp = {
  client_id: 'console', client_name: 'Admin console', token_endpoint_auth_method: 'none',
  redirect_uris: [redirectUri], grant_types: ['authorization_code'], scope: 'openid gatehouse:manage',
};
const declarations = {
  applications: [
    automation,
    consoleApp,
    { client_id: 'reporting', client_secret: secretOf('reporting'), grant_types: ['client_credentials'], scope: 'reports:read' },
  ],
  users: [{ username: alice.username, email: 'alice@example.com', password: alice.password, groups: ['staff'] }],
  scopes: [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }],
};

const pathsOf = (body: { details?: Array<{ path: string }> }) => body.details?.map((detail) => detail.path);

/** A page as a browser opens it (Accept: text/html), without a session. */
async function pageAt(server: Pick<TestServer, 'url'>, path: string): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** What a page shows of the branding: its title, its brand line and the stylesheet it links. */
function brandingShown(page: Pick<Page, 'document'>) {
  return {
    title: page.document.querySelector('title')?.text,
    brand: page.document.querySelector('header.brand')?.text.trim(),
    stylesheet: page.document.querySelector('link[rel=stylesheet]')?.getAttribute('href'),
  };
}

for (const dialect of dialects) {
  describe(`the sign-in pages' branding through the management API (${dialect})`, () => {
    let server: TestServer;
    let api: ApiClient;
    let consoleConfig: oidc.Configuration;

    const loginPage = async () => (await onLoginPage(server, consoleConfig, 'openid')).page;

    before(async () => {
      server = await startServer({ dialect, declarations });
      api = apiClient(server, await machineToken(server));
      consoleConfig = await oidc.discovery(new URL(server.issuer), 'console', undefined, oidc.None(), insecure);
    });
    after(() => server?.close());

    test('before any change: Gatehouse, its blue, no logo, and the pages show that', async () => {
      const answer = await api.get('/branding');
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body, { product_name: 'Gatehouse', primary_color: '#1d4ed8', logo_url: null, logo: null, updated_at: null });
      const page = await loginPage();
      const shown = brandingShown(page);
      assert.deepEqual({ ...shown, stylesheet: undefined }, { title: 'Sign in · Gatehouse', brand: 'Gatehouse', stylesheet: undefined });
      assert.match(shown.stylesheet ?? '', /^\/assets\/gatehouse\.css\?v=[0-9a-f]{16}$/);
      assert.equal(page.document.querySelector('header.brand img'), null, 'no logo');
      const css = await fetch(`${server.url}${shown.stylesheet}`);
      assert.match(await css.text(), /--accent: #1d4ed8;/);
    });

    test('a change is read back, keeps what it leaves out, and shows on the next page: title, brand line, the stylesheet\'s accent', async () => {
      const defaultStylesheet = brandingShown(await loginPage()).stylesheet;
      const changed = await api.put('/branding', { product_name: 'Acme Cloud', primary_color: '#0F766E' });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual({ ...changed.body, updated_at: undefined }, { product_name: 'Acme Cloud', primary_color: '#0f766e', logo_url: null, logo: null, updated_at: undefined });
      assert.ok(Date.parse(changed.body.updated_at) > 0, 'when it changed');
      assert.deepEqual((await api.get('/branding')).body, changed.body);

      const renamed = await api.put('/branding', { product_name: 'Acme' });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      assert.equal(renamed.body.primary_color, '#0f766e', 'the colour left out is kept');

      const page = await loginPage();
      const shown = brandingShown(page);
      assert.equal(shown.title, 'Sign in · Acme');
      assert.equal(shown.brand, 'Acme');
      assert.notEqual(shown.stylesheet, defaultStylesheet, 'a new colour is a new stylesheet URL');
      assert.equal(page.headers.get('content-security-policy'), pagesCsp, 'the pages\' CSP is unchanged');
      assert.doesNotMatch(page.body, /style=|<style|<script(?![^>]*\ssrc="\/assets\/)/i, 'no inline style or script: the one script is the passkey file of Gatehouse\'s own');

      const css = await fetch(`${server.url}${shown.stylesheet}`);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
      assert.match(css.headers.get('cache-control') ?? '', /max-age=31536000, immutable/, 'its URL changes with it: kept for good');
      assert.match(await css.text(), /--accent: #0f766e;/);
      const stale = await fetch(`${server.url}${defaultStylesheet}`);
      assert.equal(stale.headers.get('cache-control'), 'no-cache', 'an earlier version is answered with the current one, not to be kept');
      assert.match(await stale.text(), /--accent: #0f766e;/);
    });

    test('every page shows it: the login page after a refused password, an error page for a browser, the engine\'s own error page', async () => {
      const { browser, page } = await onLoginPage(server, consoleConfig, 'openid');
      const refused = expectPage(await browser.submit(page, 'form[action$="/login"]', { username: alice.username, password: 'not the password' }));
      assert.ok(refused.document.querySelector('.error'), 'the refusal is shown');
      assert.equal(brandingShown(refused).title, 'Sign in · Acme', 'a form post is served in the branding\'s scope too');
      const missing = await pageAt(server, '/no-such-page');
      assert.equal(missing.status, 404);
      assert.match(missing.body, /<title>Not found · Acme<\/title>/);
      const engine = await pageAt(server, `/oidc/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}`);
      assert.equal(engine.status, 400);
      assert.match(engine.body, /<title>Something is not right · Acme<\/title>/);
      assert.equal(engine.headers.get('content-security-policy'), pagesCsp);
    });

    test('the change is in the audit log: the API caller, before and after of what changed', async () => {
      const event = await oneEventOf(server, 'branding.changed', async () => {
        assert.equal((await api.put('/branding', { primary_color: '#b91c1c', product_name: 'Acme' })).status, 200);
      });
      assert.deepEqual(
        { actor: [event.actor_kind, event.actor_id], outcome: event.outcome, details: event.details },
        { actor: ['api', 'client:automation'], outcome: 'success', details: { before: { primary_color: '#0f766e' }, after: { primary_color: '#b91c1c' } } },
      );
      const again = await eventsOf(server, () => api.put('/branding', { primary_color: '#B91C1C' }), 'branding.changed');
      assert.deepEqual(again, [], 'a change to what it is already writes nothing');
    });

    test('each bad field is refused by name, with a message a form can show beside it, and nothing changes', async () => {
      const before = (await api.get('/branding')).body;
      const cases: Array<[Record<string, unknown>, string, RegExp?]> = [
        [{ product_name: '' }, 'body.product_name'],
        [{ product_name: 'x'.repeat(61) }, 'body.product_name'],
        [{ product_name: 'Acme\nCloud' }, 'body.product_name', /control characters/],
        [{ product_name: '   ' }, 'body.product_name', /blank/],
        [{ product_name: 42 }, 'body.product_name'],
        [{ primary_color: 'teal' }, 'body.primary_color', /#rrggbb/],
        [{ primary_color: '#fff' }, 'body.primary_color', /#rrggbb/],
        // Tailwind's blue 500: white text on it is 3.68:1.
        [{ primary_color: '#3b82f6' }, 'body.primary_color', /contrast ratio of 3\.67:1 with white text, below the 4\.5:1/],
        [{ primary_color: '#777777' }, 'body.primary_color', /4\.47:1/],
        [{ logo_url: 'ftp://files.example.com/logo.png' }, 'body.logo_url', /https/],
        [{ logo_url: 'not a url' }, 'body.logo_url'],
        [{ logo_url: 'https://user:secret@cdn.example.com/logo.png' }, 'body.logo_url', /user name or password/],
        [{ colour: '#0f766e' }, 'body.colour', /not a field/],
        // A good field beside a bad one changes nothing either.
        [{ product_name: 'Other', primary_color: '#ffff00' }, 'body.primary_color'],
      ];
      const added = await eventsOf(server, async () => {
        for (const [body, path, message] of cases) {
          const answer = await api.put('/branding', body);
          assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.code, 'invalid_request');
          assert.deepEqual(pathsOf(answer.body), [path], JSON.stringify(body));
          if (message) assert.match(answer.body.details[0].message, message, JSON.stringify(body));
        }
      }, 'branding.changed');
      assert.deepEqual(added, []);
      assert.deepEqual((await api.get('/branding')).body, before);
    });

    test('callers the API refuses change nothing: no token, another scope\'s token, a user who is no administrator', async () => {
      const before = (await api.get('/branding')).body;
      const change = { product_name: 'Hijacked' };
      assert.equal((await callApi(server, undefined, 'PUT', '/branding', change)).status, 401);
      assert.equal((await callApi(server, undefined, 'GET', '/branding')).status, 401);
      const reporting = await machineToken(server, { clientId: 'reporting', scope: 'reports:read' });
      assert.equal((await callApi(server, reporting, 'PUT', '/branding', change)).status, 403);
      const { pending, callback } = await obtainCallback(newBrowser(server), consoleConfig, 'openid gatehouse:manage', { credentials: alice });
      const tokens = await redeem(consoleConfig, pending, callback);
      const refused = await callApi(server, tokens.access_token, 'PUT', '/branding', change);
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.deepEqual((await api.get('/branding')).body, before);
      assert.equal(brandingShown(await loginPage()).title, 'Sign in · Acme');
    });

    test('an instance sharing the database shows a change on its next page', { skip: dialect === 'postgres' ? false : 'instances share a PostgreSQL database' }, async () => {
      const sibling = await server.startSibling();
      assert.equal((await api.put('/branding', { product_name: 'Acme Everywhere' })).status, 200);
      const home = await pageAt(sibling, '/');
      assert.match(home.body, /<header class="brand">Acme Everywhere<\/header>/);
      const link = /href="(\/assets\/gatehouse\.css\?v=[0-9a-f]+)"/.exec(home.body)?.[1];
      assert.match(await (await fetch(`${sibling.url}${link}`)).text(), /--accent: #b91c1c;/);
    });
  });
}
