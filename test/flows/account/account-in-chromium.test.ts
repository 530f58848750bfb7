/*
 * The account overview and the profile page in a real browser: signed in with the keyboard,
 * the navigation followed, the profile edited by label and saved, no Content Security Policy
 * violation; the sessions list names Chromium's device from its User-Agent. Screenshots go to
 * .test-output/account/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../../helpers/chromium.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const screenshotDir = path.resolve('.test-output', 'account');
const alice = { username: 'alice', password: 'correct horse battery staple' };

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

describe('the account pages in a real browser', { skip: skipWithoutChromium }, () => {
  let server: TestServer;
  let chromium: Browser;

  before(async () => {
    server = await startServer({ declarations: { users: [{ ...alice, email: 'alice@example.com', name: 'Alice Liddell' }] } });
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  test('the overview leads to the profile, which is edited and saved; the session names its browser', async () => {
    const page = await chromium.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused/.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${server.url}/account`);
    await page.getByLabel('Username or email').fill(alice.username);
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    assert.equal(await page.title(), 'Your account · Gatehouse');
    await screenshot(page, 'overview');

    await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Profile', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();
    await page.getByLabel('Nickname').fill('Al');
    await page.getByLabel('Preferred language').selectOption('fr');
    await page.getByLabel('Phone number').fill('+44 20 7946 0958');
    await page.getByRole('button', { name: 'Save' }).click();
    // Saved in French, the language just chosen: the page now speaks it.
    await page.getByRole('status').waitFor();
    assert.equal(await page.getByRole('status').textContent(), 'Votre profil a été enregistré.');
    assert.equal(await page.getByLabel('Surnom').inputValue(), 'Al');
    await screenshot(page, 'profile');

    await page.goto(`${server.url}/account/sessions`);
    const current = page.locator('ul.sessions li[aria-current]');
    assert.match((await current.textContent()) ?? '', /Chrome sous Linux/);
    await screenshot(page, 'sessions');
    assert.deepEqual(violations, []);
    const { profile } = (await server.services.users.findByUsername('alice'))!;
    assert.deepEqual({ nickname: profile.nickname, locale: profile.locale, phone: profile.phone_number }, { nickname: 'Al', locale: 'fr', phone: '+442079460958' });
  });
});
