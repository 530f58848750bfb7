import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { expectPage, expectRedirect, isPage, readForm, type Browser, type Page } from '../../helpers/browser.js';
import { signIn, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import type { TestServer } from '../../helpers/start-server.js';
import { postLogoutRedirectUri } from './fixtures.js';
import { startCoreServer, type RelyingParties } from './steps.js';

const logoutForm = 'form#op\\.logoutForm';

/** oidc-provider's confirmation form; its buttons sit outside the form (form="op.logoutForm"). */
async function confirmLogout(browser: Browser, page: Page) {
  const form = readForm(page, logoutForm);
  return browser.post(new URL(form.action, page.url).toString(), { ...form.fields, logout: 'yes' });
}

for (const dialect of dialects) {
  describe(`RP-initiated logout (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;

    before(async () => ({ server, rp } = await startCoreServer(dialect)));
    after(() => server?.close());

    async function signedInBrowser() {
      const browser = newBrowser(server);
      const tokens = await signIn(server, rp.spa, 'openid', { browser });
      return { browser, idToken: tokens.id_token! };
    }

    async function showsLoginForm(browser: Browser): Promise<boolean> {
      const { url } = await startAuthorization(rp.spa, 'openid');
      const result = await browser.get(url.toString());
      return isPage(result) && result.document.querySelector('form[action$="/login"]') !== null;
    }

    test('confirming logout returns to the registered post_logout_redirect_uri with state and ends the session', async () => {
      const { browser, idToken } = await signedInBrowser();
      assert.equal(await showsLoginForm(browser), false, 'signed in before logout');

      const state = oidc.randomState();
      const endSession = oidc.buildEndSessionUrl(rp.spa, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri, state });
      const confirmation = expectPage(await browser.get(endSession.toString()));
      assert.equal(confirmation.status, 200);
      assert.match(confirmation.document.querySelector('h1')?.text ?? '', /Sign out/);
      assert.match(confirmation.body, /Single Page App/, 'names the application being left');

      const done = new URL(expectRedirect(await confirmLogout(browser, confirmation)));
      assert.equal(`${done.origin}${done.pathname}`, postLogoutRedirectUri);
      assert.equal(done.searchParams.get('state'), state);

      assert.equal(await showsLoginForm(browser), true, 'a new authorization request asks to sign in again');
    });

    test('an unregistered post_logout_redirect_uri is refused, with no redirect to it', async () => {
      const { browser, idToken } = await signedInBrowser();
      const endSession = oidc.buildEndSessionUrl(rp.spa, {
        id_token_hint: idToken,
        post_logout_redirect_uri: 'https://attacker.example/after-logout',
      });
      const result = await browser.get(endSession.toString());
      const page = expectPage(result);
      assert.equal(page.status, 400);
      assert.match(page.body, /post_logout_redirect_uri/);
      assert.equal(page.document.querySelector(logoutForm), null, 'no logout form to confirm');
      assert.ok(!page.body.includes('attacker.example'), 'the attacker URI is not echoed as a link');
      assert.equal(await showsLoginForm(browser), false, 'the session is untouched');
    });

    test('with client_id instead of id_token_hint an unregistered post_logout_redirect_uri is refused too', async () => {
      const endSession = oidc.buildEndSessionUrl(rp.spa, { client_id: 'spa', post_logout_redirect_uri: 'https://attacker.example/after-logout' });
      const page = expectPage(await newBrowser(server).get(endSession.toString()));
      assert.equal(page.status, 400);
      assert.match(page.body, /post_logout_redirect_uri/);
    });

    test('without naming an application, a post_logout_redirect_uri is ignored and logout ends on Gatehouse', async () => {
      const { browser } = await signedInBrowser();
      const endSession = new URL(rp.spa.serverMetadata().end_session_endpoint!);
      endSession.searchParams.set('post_logout_redirect_uri', 'https://attacker.example/after-logout');
      const confirmation = expectPage(await browser.get(endSession.toString()));
      const done = expectPage(await confirmLogout(browser, confirmation));
      assert.equal(done.status, 200);
      assert.match(done.document.querySelector('h1')?.text ?? '', /Signed out/);
      assert.equal(await showsLoginForm(browser), true);
    });
  });
}
