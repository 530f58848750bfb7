import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectPage, isPage, readForm, type Browser, type Page } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { alice, mallory } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { postToken } from '../../helpers/token-endpoint.js';
import { startCoreServer, type RelyingParties } from './steps.js';

const loginForm = 'form[action$="/login"]';
const attackerUri = 'https://attacker.example/callback';
/** Larger than the 64 KiB Gatehouse and oidc-provider accept. */
const oversized = 'x'.repeat(70 * 1024);

for (const dialect of dialects) {
  describe(`bad requests get a clear error and change nothing (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;

    let storedBefore: string;

    /** Users, applications and keys as stored: what no refused request may change. */
    async function storedRecords(): Promise<string> {
      const storage = server.openStorage();
      try {
        const { db } = storage;
        return JSON.stringify({
          users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
          applications: await db.selectFrom('applications').selectAll().orderBy('client_id').execute(),
          keys: await db.selectFrom('keys').select(['kid', 'status']).orderBy('kid').execute(),
        });
      } finally {
        await storage.close();
      }
    }

    before(async () => {
      ({ server, rp } = await startCoreServer(dialect));
      storedBefore = await storedRecords();
    });
    after(() => server?.close());

    /** A browser on the login page of a fresh authorization request by the spa application. */
    async function onLoginPage(): Promise<{ browser: Browser; page: Page }> {
      const browser = newBrowser(server);
      const { url } = await startAuthorization(rp.spa, 'openid');
      const page = expectPage(await browser.get(url.toString()));
      assert.ok(page.document.querySelector(loginForm), 'the login form is shown');
      return { browser, page };
    }

    async function failedSignIn(username: string, password: string): Promise<Page> {
      const { browser, page } = await onLoginPage();
      const result = expectPage(await browser.submit(page, loginForm, { username, password }));
      // What differs between two login pages by construction: the interaction, its CSRF token, the echoed name.
      const { action, fields } = readForm(page, loginForm);
      const uid = action.split('/')[2]!;
      const body = result.body.replaceAll(uid, '{uid}').replaceAll(fields.csrf!, '{csrf}').replaceAll(`value="${username}"`, 'value="{username}"');
      return { ...result, body };
    }

    async function stillOnLogin(browser: Browser, page: Page): Promise<boolean> {
      const again = await browser.get(page.url);
      return isPage(again) && again.document.querySelector(loginForm) !== null;
    }

    test('a wrong password, an unknown user and a disabled user get the same status and page', async () => {
      const wrongPassword = await failedSignIn('alice', 'not the password at all');
      const unknownUser = await failedSignIn('nobody-by-this-name', 'not the password at all');
      const disabledUser = await failedSignIn(mallory.username, mallory.password);
      for (const page of [wrongPassword, unknownUser, disabledUser]) {
        assert.equal(page.status, 401);
        assert.match(page.document.querySelector('.error')?.text ?? '', /username or password is incorrect/);
        assert.ok(page.document.querySelector(loginForm), 'the form is shown again');
      }
      assert.equal(unknownUser.body, wrongPassword.body);
      assert.equal(disabledUser.body, wrongPassword.body);
    });

    test('an unknown client_id gets an error page, not a redirect', async () => {
      const url = new URL(rp.spa.serverMetadata().authorization_endpoint!);
      url.search = new URLSearchParams({ client_id: 'no-such-app', redirect_uri: attackerUri, response_type: 'code', scope: 'openid' }).toString();
      const result = await newBrowser(server).get(url.toString());
      const page = expectPage(result);
      assert.equal(page.status, 400);
      assert.match(page.body, /invalid_client|client/i);
      assert.ok(!page.body.includes(attackerUri));
    });

    test('an unregistered redirect_uri gets an error page, not a redirect to it', async () => {
      const { url } = await startAuthorization(rp.spa, 'openid', { redirect_uri: attackerUri });
      const page = expectPage(await newBrowser(server).get(url.toString()));
      assert.equal(page.status, 400);
      assert.match(page.body, /redirect_uri/);
      assert.match(page.body, /invalid_redirect_uri/);
    });

    test('an oversized form post to the login page is refused with 413, and the interaction goes on', async () => {
      const { browser, page } = await onLoginPage();
      const result = expectPage(await browser.submit(page, loginForm, { username: 'alice', password: oversized }));
      assert.equal(result.status, 413);
      assert.match(result.body, /too large/);
      assert.ok(!/\bat .*\.(ts|js):\d+/.test(result.body), 'no stack trace');
      assert.equal(await stillOnLogin(browser, page), true);
    });

    test('an oversized token request is refused with 413 and an OAuth JSON error', async () => {
      const { status, headers, body } = await postToken(server, { grant_type: 'client_credentials', client_id: 'spa', padding: oversized });
      assert.equal(status, 413);
      assert.match(headers.get('content-type') ?? '', /json/);
      assert.equal(body.error, 'invalid_request');
      assert.match(String(body.error_description), /request body is larger than 56 KiB/);
    });

    test('a login post without a CSRF token, or with a wrong one, is refused with 403 and signs nobody in', async () => {
      const { browser, page } = await onLoginPage();
      const { action, fields } = readForm(page, loginForm);
      const target = new URL(action, page.url).toString();
      const missing = expectPage(await browser.post(target, { username: alice.username, password: alice.password }));
      assert.equal(missing.status, 403);
      const wrong = expectPage(await browser.post(target, { csrf: `${fields.csrf!.slice(0, -2)}xx`, username: alice.username, password: alice.password }));
      assert.equal(wrong.status, 403);
      assert.match(wrong.body, /not sent by this site|expired/);
      assert.equal(await stillOnLogin(browser, page), true, 'still asked to sign in');
    });

    test('a login post marked Sec-Fetch-Site: cross-site is refused with 403, even with the right token', async () => {
      const { browser, page } = await onLoginPage();
      const result = expectPage(await browser.submit(page, loginForm, alice, { 'sec-fetch-site': 'cross-site' }));
      assert.equal(result.status, 403);
      assert.equal(await stillOnLogin(browser, page), true, 'still asked to sign in');
    });

    test('after all the refused requests above, users, applications and keys are exactly as stored before', async () => {
      assert.equal(await storedRecords(), storedBefore);
    });

    test('the same login post from the same site signs in (the refusals above are not the only outcome)', async () => {
      const { browser, page } = await onLoginPage();
      const result = await browser.submit(page, loginForm, alice, { 'sec-fetch-site': 'same-origin' });
      assert.ok(!isPage(result) || !result.document.querySelector(loginForm), 'the login form is done');
    });
  });
}
