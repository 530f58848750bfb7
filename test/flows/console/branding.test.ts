import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openConsole, openScreen, screenshot, scrollsSideways, signIn, startConsole, type ConsoleHarness } from '../../helpers/console.js';

describe('branding set in the console shows on the sign-in pages', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;

  before(async () => {
    harness = await startConsole();
  });
  after(async () => harness?.close());

  test('a colour too light for white text is refused next to its field, and nothing changes', async () => {
    const { page, problems } = harness.signedIn;
    await openScreen(page, 'Branding');
    await page.getByLabel('Primary colour', { exact: true }).fill('#ffee00');
    await page.getByRole('button', { name: 'Save branding' }).click();
    const message = page.locator('.field-invalid .field-error');
    await message.waitFor();
    assert.match(await message.innerText(), /contrast ratio of .* below the 4\.5:1/);
    const stored = await harness.server.services.branding.get();
    assert.equal(stored.primaryColor, '#1d4ed8');
    assert.deepEqual(problems, []);
  });

  test('a product name and colour saved here are what the login page shows', async () => {
    const { page, problems } = harness.signedIn;
    await page.getByLabel('Product name').fill('Acme Portal');
    await page.getByLabel('Primary colour', { exact: true }).fill('#7b1fa2');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByText(/^Saved\./).waitFor();
    await screenshot(page, 'branding');

    const visitor = await openConsole(harness.chromium);
    await visitor.page.goto(`${harness.server.url}/console/`);
    await visitor.page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    assert.match(await visitor.page.title(), /Acme Portal/);
    await visitor.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    // A string, because this project is type-checked without the DOM library.
    assert.equal(await visitor.page.evaluate<string>('getComputedStyle(document.querySelector("button.primary")).backgroundColor'), 'rgb(123, 31, 162)');
    await screenshot(visitor.page, 'branded-login');
    assert.deepEqual(visitor.problems, []);
    await visitor.context.close();
    assert.deepEqual(problems, []);
  });

  test('at 390 px the branding screen does not scroll sideways', async () => {
    const phone = await openConsole(harness.chromium, { width: 390, height: 844 });
    await signIn(phone.page, harness.server, harness.admin, '/console/branding');
    await phone.page.getByRole('button', { name: 'Save branding' }).waitFor();
    assert.equal(await scrollsSideways(phone.page), false);
    await screenshot(phone.page, 'branding-390');
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
  });
});
