import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser as Chromium, Page as ChromiumPage } from 'playwright-core';
import { redirectUri } from '../../helpers/applications.js';
import { expectPage, type Browser, type Page } from '../../helpers/browser.js';
import { startCallbackServer } from '../../helpers/callback-server.js';
import { launchChromium, skipWithoutChromium } from '../../helpers/chromium.js';
import { authorizationUrl } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { allModes, allResponseTypes, scopes, users, webApp } from './fixtures.js';
import { leftHalfHash, verifyIdToken } from './steps.js';

/** The hidden fields of the auto-submitting form_post page, decoded, and where the form goes. */
function formPostOf(page: Page): { action: string; fields: Record<string, string> } {
  const form = page.document.querySelector('form[method="post"]');
  assert.ok(form, `a form_post page, got ${page.status}:\n${page.body.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) fields[input.getAttribute('name')!] = input.getAttribute('value')!;
  return { action: form.getAttribute('action')!, fields };
}

for (const dialect of protocolDialects) {
  describe(`response_mode=form_post (${dialect})`, () => {
    let server: TestServer;
    let browser: Browser;
    let app: Awaited<ReturnType<typeof startCallbackServer>>;
    let nativeRedirectUri: string;

    before(async () => {
      // A stand-in application on 127.0.0.1 receives what a real browser posts to it.
      app = await startCallbackServer();
      nativeRedirectUri = `${app.origin}/callback`;
      server = await startServer({
        dialect,
        declarations: {
          users,
          scopes,
          applications: [
            webApp('web', allModes),
            // Loopback http redirect URIs are for native applications (RFC 8252 §7.3).
            { ...webApp('desktop', allModes), application_type: 'native', redirect_uris: [nativeRedirectUri] },
          ],
        },
      });
      browser = newBrowser(server);
      await callbackFor(browser, authorizationUrl(server, { client_id: 'web', response_type: 'code', scope: 'openid' }));
    });
    after(async () => {
      await server?.close();
      await app?.close();
    });

    async function formPost(params: Record<string, string>): Promise<Page> {
      return expectPage(await browser.get(authorizationUrl(server, { client_id: 'web', scope: 'openid', response_mode: 'form_post', ...params }).toString()));
    }

    for (const responseType of allResponseTypes) {
      test(`${responseType}: the response arrives as an auto-submitting form to the redirect_uri`, async () => {
        const page = await formPost({ response_type: responseType, nonce: 'n-form', state: 'st-form' });
        assert.equal(page.status, 200);
        const { action, fields } = formPostOf(page);
        assert.equal(action, redirectUri);
        assert.equal(fields.state, 'st-form');
        for (const part of responseType.split(' ')) {
          const name = part === 'token' ? 'access_token' : part;
          assert.ok(fields[name], `${name} in the form`);
        }
        if (fields.id_token) {
          const claims = await verifyIdToken(server, fields.id_token, { audience: 'web' });
          assert.equal(claims.nonce, 'n-form');
          if (fields.code) assert.equal(claims.c_hash, leftHalfHash(fields.code, 'RS256'));
          if (fields.access_token) assert.equal(claims.at_hash, leftHalfHash(fields.access_token, 'RS256'));
        }
      });
    }

    test('the page is allowed to run exactly its own auto-submit script by the CSP, and nothing else', async () => {
      const page = await formPost({ response_type: 'code' });
      const csp = page.headers.get('content-security-policy') ?? '';
      const scripts = page.document.querySelectorAll('script');
      assert.equal(scripts.length, 1);
      const digest = createHash('sha256').update(scripts[0]!.textContent).digest('base64');
      const scriptSrc = csp.split(';').map((directive) => directive.trim()).find((directive) => directive.startsWith('script-src'));
      assert.equal(scriptSrc, `script-src 'self' 'sha256-${digest}'`);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /default-src 'none'/);
      assert.equal(page.headers.get('cache-control'), 'no-store');
    });

    test('values are HTML-escaped in the form', async () => {
      const state = `x"><script>alert(1)</script>&'`;
      const page = await formPost({ response_type: 'code', state });
      assert.doesNotMatch(page.body, /<script>alert/);
      assert.equal(formPostOf(page).fields.state, state, 'the escaped value decodes to exactly what was sent');
    });

    test('errors come back by form_post too', async () => {
      const page = await formPost({ response_type: 'id_token' });
      const { action, fields } = formPostOf(page);
      assert.equal(action, redirectUri);
      assert.equal(fields.error, 'invalid_request');
      assert.match(fields.error_description ?? '', /nonce/);
    });

    describe('in Chromium', { skip: skipWithoutChromium }, () => {
      let chromium: Chromium;
      before(async () => {
        chromium = await launchChromium();
      });
      after(() => chromium?.close());

      /**
       * Signs in and allows access in the page; resolves with what the application received.
       * The bound is not a timing assertion: without it a blocked script would hang the suite.
       */
      async function signInAndConsent(page: ChromiumPage, url: URL) {
        await page.goto(url.toString());
        await page.locator('input[name="username"]').fill(alice.username);
        await page.locator('input[name="password"]').fill(alice.password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        const received = app.next();
        await page.locator('button[value="approve"]').click();
        let timer: NodeJS.Timeout | undefined;
        const stuck = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('the form_post page did not submit itself')), 15_000);
        });
        try {
          return await Promise.race([received, stuck]);
        } finally {
          clearTimeout(timer);
        }
      }

      /** A Chromium page that records Content Security Policy violations. */
      async function watchedPage(): Promise<{ page: ChromiumPage; violations: string[] }> {
        const page = await chromium.newPage();
        const violations: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy|Refused/.test(message.text())) violations.push(message.text());
        });
        return { page, violations };
      }

      test('the form_post page submits itself under Gatehouse\'s CSP, after sign-in and consent', async () => {
        const { page, violations } = await watchedPage();
        const url = authorizationUrl(server, {
          client_id: 'desktop', redirect_uri: nativeRedirectUri, response_type: 'code id_token', response_mode: 'form_post',
          scope: 'openid', nonce: 'n-chromium', state: 'st-chromium',
        });
        const callback = await signInAndConsent(page, url);

        assert.equal(callback.method, 'POST');
        assert.equal(callback.url.pathname, '/callback');
        assert.equal(callback.form.get('state'), 'st-chromium');
        const claims = await verifyIdToken(server, callback.form.get('id_token')!, { audience: 'desktop' });
        assert.equal(claims.c_hash, leftHalfHash(callback.form.get('code')!, 'RS256'));
        assert.deepEqual(violations, []);
        await page.close();
      });

      test('an escaped state survives the round trip through a real browser unchanged', async () => {
        const { page, violations } = await watchedPage();
        // Each page has a browser context of its own: this is a fresh sign-in.
        const state = `"><img src=x onerror=alert(1)>&amp;`;
        const url = authorizationUrl(server, {
          client_id: 'desktop', redirect_uri: nativeRedirectUri, response_type: 'code id_token token', response_mode: 'form_post',
          scope: 'openid', nonce: 'n-escape', state,
        });
        const callback = await signInAndConsent(page, url);
        assert.equal(callback.form.get('state'), state);
        assert.ok(callback.form.get('access_token'));
        assert.deepEqual(violations, []);
        await page.close();
      });
    });
  });
}
