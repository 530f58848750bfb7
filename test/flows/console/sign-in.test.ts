import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openConsole, openScreen, screenshot, signIn, startConsole, type ConsoleHarness } from '../../helpers/console.js';

describe('the console signs administrators in through Gatehouse', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;

  before(async () => {
    harness = await startConsole();
  });
  after(async () => harness?.close());

  test('an unauthenticated visit goes to the login page, and the first administrator comes back to Applications', async () => {
    const { page, problems } = harness.signedIn;
    assert.equal(new URL(page.url()).pathname, '/console/applications');
    assert.ok(await page.getByRole('navigation', { name: 'Console' }).isVisible());
    await screenshot(page, 'applications');
    assert.deepEqual(problems, []);
  });

  test('tokens are kept in memory only: nothing in the storage a later script could read', async () => {
    const { page } = harness.signedIn;
    // Strings, because this project is type-checked without the DOM library.
    const stored = await page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })');
    assert.equal(stored, JSON.stringify({ local: {}, session: {} }));
  });

  test('an access token about to expire is renewed silently with the rotating refresh token', async () => {
    const visit = await openConsole(harness.chromium);
    await visit.context.clock.install();
    await signIn(visit.page, harness.server, harness.admin);
    const refreshes: string[] = [];
    visit.page.on('request', (request) => {
      const body = new URLSearchParams(request.postData() ?? '');
      if (request.url().endsWith('/oidc/token') && body.get('grant_type') === 'refresh_token') refreshes.push(body.get('refresh_token')!);
    });

    // The console's tokens live 10 minutes and are renewed in their last one.
    await visit.context.clock.fastForward('09:30');
    await openScreen(visit.page, 'Branding');
    await visit.page.getByRole('button', { name: 'Save branding' }).waitFor();
    await openScreen(visit.page, 'Users');
    await visit.context.clock.fastForward('09:30');
    await openScreen(visit.page, 'Branding');
    await visit.page.getByRole('button', { name: 'Save branding' }).waitFor();
    assert.equal(refreshes.length, 2);
    assert.notEqual(refreshes[0], refreshes[1], 'each renewal uses the refresh token the one before returned');
    assert.equal(new URL(visit.page.url()).pathname, '/console/branding');

    // A spent refresh token is refused: rotation, not reuse.
    const reused = await fetch(`${harness.server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshes[0]!, client_id: 'gatehouse:console' }),
    });
    assert.equal(reused.status, 400);
    assert.equal(((await reused.json()) as { error: string }).error, 'invalid_grant');

    // The reuse ended the console's grant; the person is still signed in to Gatehouse, so the console comes back without a consent page.
    await visit.page.goto(`${harness.server.url}/console/keys`);
    await visit.page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    assert.equal(new URL(visit.page.url()).pathname, '/console/keys');
    assert.deepEqual(visit.problems, []);
    await visit.context.close();
  });

  test('every main screen renders from the navigation without a console error', async () => {
    const { page, problems } = harness.signedIn;
    for (const screen of ['Applications', 'Users', 'Groups', 'Scopes', 'Connections', 'Keys', 'Audit log', 'Branding']) {
      await openScreen(page, screen);
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), screen);
      await page.locator('.loading').waitFor({ state: 'detached' });
      assert.equal(await page.getByRole('link', { name: screen, exact: true }).getAttribute('aria-current'), 'page');
    }
    assert.deepEqual(problems, []);
  });

  test('the keyboard reaches the navigation, with a visible focus ring', async () => {
    const { page } = harness.signedIn;
    await page.goto(`${harness.server.url}/console/applications`);
    await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
    await page.keyboard.press('Tab');
    const focusedText = () => page.evaluate<string>('document.activeElement?.textContent ?? ""');
    assert.equal(await focusedText(), 'Skip to content');
    let focused = '';
    for (let presses = 0; presses < 10 && focused !== 'Users'; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await focusedText();
    }
    assert.equal(focused, 'Users');
    assert.notEqual(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'), 'none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  });

  test('a deep link survives the trip through the login page', async () => {
    const visit = await openConsole(harness.chromium);
    await signIn(visit.page, harness.server, harness.admin, '/console/keys');
    assert.equal(new URL(visit.page.url()).pathname, '/console/keys');
    await visit.context.close();
  });
});
