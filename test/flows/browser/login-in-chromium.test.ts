import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { startCallbackServer } from '../../helpers/callback-server.js';
import { launchChromium, skipWithoutChromium } from '../../helpers/chromium.js';
import { redeem, startAuthorization } from '../../helpers/code-flow.js';
import { insecure } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

describe('sign-in in a real browser', { skip: skipWithoutChromium }, () => {
  let server: TestServer;
  let app: Awaited<ReturnType<typeof startCallbackServer>>;
  let chromium: Browser;
  let config: oidc.Configuration;
  let redirectUri: string;

  before(async () => {
    app = await startCallbackServer();
    redirectUri = `${app.origin}/callback`;
    server = await startServer({
      declarations: {
        applications: [{ client_id: 'notes', client_name: 'Network Notes', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] }],
        users: [{ ...alice, name: 'Alice' }],
      },
    });
    config = await oidc.discovery(new URL(server.issuer), 'notes', undefined, oidc.None(), insecure);
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
    await app?.close();
  });

  test('a user signs in with the keyboard, consents, and the application gets a code that redeems', async () => {
    const page = await chromium.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused/.test(message.text())) violations.push(message.text());
    });
    const pending = await startAuthorization(config, 'openid profile', { redirect_uri: redirectUri });
    await page.goto(pending.url.toString());

    assert.equal(await page.title(), 'Sign in · Gatehouse');
    assert.equal(await page.getByLabel('Username or email').getAttribute('autocomplete'), 'username');
    assert.equal(await page.getByLabel('Password').getAttribute('autocomplete'), 'current-password');

    // Focus order: the user name field first, then the password, then the submit button.
    await page.getByLabel('Username or email').focus();
    await page.keyboard.type(alice.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(alice.password);
    await page.keyboard.press('Enter');

    await page.getByRole('button', { name: 'Allow' }).waitFor();
    assert.equal(await page.title(), 'Allow access · Gatehouse');
    assert.ok(await page.getByText('Network Notes').isVisible());
    const arrived = app.next();
    await page.getByRole('button', { name: 'Allow' }).click();
    const callback = await arrived;

    assert.equal(callback.url.pathname, '/callback');
    assert.equal(callback.url.searchParams.get('iss'), server.issuer);
    const tokens = await redeem(config, pending, new URL(callback.url.pathname + callback.url.search, redirectUri));
    assert.equal(tokens.claims()?.aud, 'notes');
    assert.deepEqual(violations, []);
    await page.close();
  });

  test('the login page fits a phone screen without horizontal scrolling', async () => {
    const context = await chromium.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await context.newPage();
    const { url } = await startAuthorization(config, 'openid', { redirect_uri: redirectUri });
    await page.goto(url.toString());
    // A string, because this project is type-checked without the DOM library.
    const widths = await page.evaluate<{ scroll: number; client: number }>(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    );
    assert.ok(widths.scroll <= widths.client, `page is ${widths.scroll}px wide in a ${widths.client}px viewport`);
    await context.close();
  });
});
