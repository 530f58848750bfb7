/*
 * Access tokens for API resources through the authorization code flow, in a browser driven over
 * HTTP: `resource` on the authorization request puts the API's scopes on the consent page, with
 * the API's name, and the code (and the refresh tokens after it) gives a JWT for that API; a
 * flow without `resource` gets an opaque token that userinfo takes, as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { secretOf } from '../../helpers/applications.js';
import { expectPage, expectRedirect, type Page } from '../../helpers/browser.js';
import { redeem, signIn, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { baseDeclarations, ledger, looksLikeJwt, orders, user, verifyAccessToken } from './steps.js';

/** The consent page's list items, as text. */
const consentItems = (page: Page) => page.document.querySelectorAll('ul.scopes li').map((item) => item.text.replace(/\s+/g, ' ').trim());

for (const dialect of dialects) {
  describe(`API resources: authorization code flow (${dialect})`, () => {
    let server: TestServer;
    let web: oidc.Configuration;

    before(async () => {
      server = await startServer({ dialect, declarations: baseDeclarations });
      web = await oidc.discovery(new URL(server.issuer), 'web', secretOf('web'), undefined, insecure);
    });
    after(() => server?.close());

    /** Signs in on a fresh browser up to the consent page of a request with these parameters. */
    async function consentPageFor(scope: string, params: Record<string, string>) {
      const browser = newBrowser(server);
      const pending = await startAuthorization(web, scope, params);
      const login = expectPage(await browser.get(pending.url.toString()));
      const consent = expectPage(await browser.submit(login, 'form[action$="/login"]', { username: user.username, password: user.password }));
      assert.ok(consent.document.querySelector('form[action$="/consent"]'), `the consent page: ${consent.body.slice(0, 300)}`);
      return { browser, pending, consent };
    }

    test('the consent page names the API and its scopes; the code gives a JWT for that API', async () => {
      const { browser, pending, consent } = await consentPageFor('openid orders:read', { resource: orders.identifier });
      const items = consentItems(consent);
      assert.ok(items.includes('Confirm who you are (openid)'), items.join(' | '));
      assert.ok(items.includes('Orders API: Read your orders (orders:read)'), items.join(' | '));
      assert.equal(items.filter((item) => item.includes('orders:read')).length, 1, 'the API\'s scope once, with its API');
      assert.ok(!items.some((item) => item.includes('orders:write')), 'only what was asked for');
      const callback = new URL(expectRedirect(await browser.submit(consent, 'form[action$="/consent"]')));
      const tokens = await redeem(web, pending, callback);
      assert.ok(looksLikeJwt(tokens.access_token));
      const { payload } = await verifyAccessToken(server, tokens.access_token, orders.identifier);
      assert.equal(payload.client_id, 'web');
      assert.equal(payload.scope, 'orders:read');
      assert.equal(payload.sub, tokens.claims()!.sub, 'the token is about the person who signed in');
      assert.equal(tokens.claims()!.aud, 'web', 'the id_token is still the application\'s');
    });

    test('names and descriptions on the consent page are escaped', async () => {
      const { consent } = await consentPageFor('openid ledger:read', { resource: ledger.identifier });
      assert.ok(consent.body.includes('Ledger &lt;API&gt;: Read the &quot;ledger&quot; &amp; balances'), consent.body);
      assert.ok(!consent.body.includes('<API>'));
    });

    test('refresh tokens of a flow with a resource keep giving JWTs for it', async () => {
      const tokens = await signIn(server, web, 'openid offline_access orders:read', { params: { resource: orders.identifier, prompt: 'consent' }, credentials: user });
      assert.ok(tokens.refresh_token, 'a refresh token');
      const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token!);
      const { payload } = await verifyAccessToken(server, refreshed.access_token, orders.identifier);
      assert.equal(payload.scope, 'orders:read');
    });

    test('an unknown resource on the authorization request is sent back as invalid_target', async () => {
      const browser = newBrowser(server);
      const pending = await startAuthorization(web, 'openid', { resource: 'https://unknown.example.test' });
      const callback = new URL(expectRedirect(await browser.get(pending.url.toString())));
      assert.equal(await oauthError(redeem(web, pending, callback)), 'invalid_target');
    });

    test('without a resource an API\'s scope is not asked for on the consent page nor given in the token', async () => {
      const { browser, pending, consent } = await consentPageFor('openid orders:write', {});
      assert.ok(!consentItems(consent).some((item) => item.includes('orders:write') || item.includes('Place orders')), JSON.stringify(consentItems(consent)));
      const tokens = await redeem(web, pending, new URL(expectRedirect(await browser.submit(consent, 'form[action$="/consent"]'))));
      assert.equal(tokens.scope, 'openid');
    });

    test('without a resource the access token is opaque and userinfo takes it, as before', async () => {
      const tokens = await signIn(server, web, 'openid email', { credentials: user });
      assert.ok(!looksLikeJwt(tokens.access_token));
      const claims = await oidc.fetchUserInfo(web, tokens.access_token, tokens.claims()!.sub);
      assert.equal(claims.email, user.email);
    });
  });
}
