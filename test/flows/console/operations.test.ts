import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventTypeGroups } from '../../../console/src/screens/audit/types.js';
import { auditEventTypes } from '../../../src/audit/audit-event-types.js';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openConsole, openScreen, screenshot, scrollsSideways, signIn, startConsole, type ConsoleHarness } from '../../helpers/console.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';

test('the audit log\'s type filter offers every event type the server records, and only those', () => {
  const offered = eventTypeGroups.flatMap((group) => group.types.map(([type]) => type));
  assert.deepEqual([...offered].sort(), Object.keys(auditEventTypes).sort());
});

/** What the field labelled so says under it: the API's message about it. */
async function fieldError(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  await page.locator('.field-error').first().waitFor();
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `${label} is marked invalid`);
  const ids = (await input.getAttribute('aria-describedby'))?.split(' ') ?? [];
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

/** Waits for something the page shows after a moment, up to five seconds. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out: ${what}`);
}

describe('the console\'s operations screens: scopes, keys and the audit log', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;
  let api: ApiClient;

  before(async () => {
    harness = await startConsole({
      declarations: {
        applications: [automation],
        scopes: [{ name: 'partner', description: 'Your partner account', claims: ['partner_id'] }],
        resources: [{ identifier: 'https://orders.example.com', name: 'Orders API', scopes: [{ name: 'orders:read', description: 'Read your orders' }] }],
      },
    });
    api = apiClient(harness.server, await machineToken(harness.server));
  });
  after(async () => harness?.close());

  test('a custom scope is created through the form, the API\'s refusal shown beside the field, and the declared one is read-only', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await openScreen(page, 'Scopes');
    await page.getByRole('heading', { level: 1, name: 'Scopes' }).waitFor();
    const custom = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Custom scopes' }) });
    await custom.getByRole('link', { name: 'partner' }).waitFor();
    assert.ok(await custom.getByText('Configuration file').isVisible(), 'the declared scope says where it comes from');
    const standard = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Standard scopes' }) });
    assert.ok(await standard.getByText('openid', { exact: true }).isVisible());
    assert.ok(await standard.getByText('email_verified', { exact: true }).isVisible(), 'a standard scope lists its claims');
    const apis = page.locator('section.panel', { has: page.getByRole('heading', { name: 'APIs' }) });
    await apis.getByText('Orders API').waitFor();

    await page.getByRole('link', { name: 'Add a scope' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Add a scope' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('hr employee');
    await page.getByLabel('Description').fill('Your employee record');
    await page.getByLabel('Claims').fill('department\nemployee_id');
    await page.getByRole('button', { name: 'Create scope' }).click();
    assert.match(await fieldError(page, 'Name'), /letters, digits or _ \. : -/);
    assert.equal((await api.get('/scopes/hr%20employee')).status, 404, 'nothing was created');

    await page.getByLabel('Name', { exact: true }).fill('hr:employee');
    await page.getByRole('button', { name: 'Create scope' }).click();
    await page.getByRole('heading', { level: 1, name: 'hr:employee' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/scopes/hr:employee');
    await page.getByRole('status').filter({ hasText: 'The scope hr:employee was created' }).waitFor();
    const created = await api.get('/scopes/hr:employee');
    assert.equal(created.status, 200);
    assert.deepEqual(
      { description: created.body.description, claims: created.body.claims, declared: created.body.declared },
      { description: 'Your employee record', claims: ['department', 'employee_id'], declared: false },
    );

    await page.getByLabel('Claims').fill('department\nemployee_id\ncost_center');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved:').waitFor();
    assert.deepEqual((await api.get('/scopes/hr:employee')).body.claims, ['department', 'employee_id', 'cost_center']);

    await page.getByRole('link', { name: 'Back to scopes' }).click();
    await custom.getByRole('link', { name: 'hr:employee' }).waitFor();
    await screenshot(page, 'scopes');

    await custom.getByRole('link', { name: 'partner' }).click();
    await page.getByRole('heading', { level: 1, name: 'partner' }).waitFor();
    await page.getByText('declared in the configuration file').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save changes' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete scope' }).count(), 0);
    assert.equal(await page.getByLabel('Description').getAttribute('readonly'), '');

    // A scope no application names can be deleted, once confirmed.
    await page.goBack();
    await custom.getByRole('link', { name: 'hr:employee' }).click();
    await page.getByRole('button', { name: 'Delete scope' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText('Delete the scope hr:employee?').waitFor();
    await confirm.getByRole('button', { name: 'Delete scope' }).click();
    await page.getByText('The scope hr:employee was deleted.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/scopes');
    assert.equal((await api.get('/scopes/hr:employee')).status, 404);
    assert.equal(await custom.getByRole('link', { name: 'hr:employee' }).count(), 0);

    assert.deepEqual(problems.slice(seen), []);
  });

  test('a key rotation is confirmed in a dialog, and the new keys appear in the list, the API and the JWKS', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    const before = (await api.get('/keys')).body.items as { kid: string; status: string; purpose: string }[];
    assert.ok(before.every((key) => key.status === 'active'));
    await openScreen(page, 'Keys');
    const rows = page.locator('table.list tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), before.length);
    for (const key of before) assert.ok(await page.getByText(key.kid, { exact: true }).isVisible(), `${key.kid} is listed`);

    await page.getByRole('button', { name: 'Rotate keys' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Start a key rotation?').waitFor();
    assert.match(await dialog.textContent() ?? '', /In 24 hours they start signing/);
    await dialog.getByRole('button', { name: 'Start the rotation' }).click();
    await page.getByText(/are published now and start signing/).waitFor();
    await page.locator('tbody .badge', { hasText: /^Next$/ }).first().waitFor();

    const afterKeys = (await api.get('/keys')).body.items as { kid: string; status: string; purpose: string }[];
    const waiting = afterKeys.filter((key) => key.status === 'next');
    assert.equal(waiting.length, before.length, 'one new key per purpose');
    assert.equal(await rows.count(), afterKeys.length);
    assert.equal(await page.locator('tbody .badge', { hasText: /^Next$/ }).count(), waiting.length);
    for (const key of waiting) assert.ok(await page.getByText(key.kid, { exact: true }).isVisible(), `the new key ${key.kid} is listed`);

    // Every instance publishes a rotation's keys within about a second (docs/operations.md).
    const discovery = await (await fetch(`${harness.server.issuer}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
    const newSigningKids = waiting.filter((key) => key.purpose.startsWith('signing:')).map((key) => key.kid);
    assert.equal(newSigningKids.length, 3);
    let published: string[] = [];
    for (let attempt = 0; attempt < 30 && !newSigningKids.every((kid) => published.includes(kid)); attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      published = ((await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    }
    for (const kid of newSigningKids) assert.ok(published.includes(kid), `the JWKS publishes ${kid}`);
    const oldSigningKids = before.filter((key) => key.purpose.startsWith('signing:')).map((key) => key.kid);
    for (const kid of oldSigningKids) assert.ok(published.includes(kid), `the current key ${kid} stays published`);

    await page.getByText('A rotation is under way').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Rotate keys' }).isDisabled(), 'a second scheduled rotation waits for the first');
    await screenshot(page, 'keys');
    assert.deepEqual(problems.slice(seen), []);
  });

  test('the administrator\'s sign-in is found in the audit log by type and user, and its detail shows every field', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    const admin = ((await api.get(`/users?q=${harness.admin.username}`)).body.items as { id: string; username: string }[])
      .find((user) => user.username === harness.admin.username)!;
    await openScreen(page, 'Audit log');
    await page.locator('table.list tbody tr').first().waitFor();

    await page.getByLabel('Event type').selectOption({ label: 'Sign-in succeeded' });
    await page.getByLabel('User', { exact: true }).fill(harness.admin.username);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((url) => url.searchParams.get('user_id') === admin.id);
    const url = new URL(page.url());
    assert.equal(url.pathname, '/console/audit');
    assert.equal(url.searchParams.get('type'), 'sign_in.succeeded');

    const rows = page.locator('table.list tbody tr');
    // The filtered page replaces the unfiltered one: every row is then the admin's sign-in.
    await until(async () => (await rows.count()) > 0 && (await rows.filter({ hasNotText: 'Sign-in succeeded' }).count()) === 0, 'the filtered events are shown');
    const listed = (await api.get(`/audit-events?type=sign_in.succeeded&user_id=${admin.id}`)).body.items as { id: string }[];
    assert.ok(listed.length >= 1);
    assert.equal(await rows.count(), listed.length, 'the list shows what the API answers for these filters');
    for (const row of await rows.all()) {
      assert.match(await row.textContent() ?? '', /Sign-in succeeded/);
      await row.getByText(harness.admin.username, { exact: true }).first().waitFor();
    }
    await screenshot(page, 'audit');

    await rows.last().getByRole('button', { name: 'Sign-in succeeded' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Sign-in succeeded' });
    await dialog.waitFor();
    const text = await dialog.textContent() ?? '';
    assert.ok(text.includes(admin.id), 'the detail names the user by id');
    assert.ok(text.includes(listed.at(-1)!.id), 'the detail shows the event id');
    assert.equal(await dialog.getByRole('button', { name: 'Close' }).and(page.locator(':focus')).count(), 1, 'the dialog takes the focus');
    const details = JSON.parse(await dialog.getByLabel('Details').textContent() ?? '');
    assert.equal(details.method, 'password');
    await screenshot(page, 'audit-event');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await rows.last().getByRole('button').and(page.locator(':focus')).count(), 1, 'the focus goes back to the row');

    // Filters that find nothing say so and offer the way back.
    await page.getByLabel('Result').selectOption({ label: 'Failure' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('heading', { name: 'No events match these filters' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.waitForURL((next) => next.search === '');
    await rows.first().waitFor();
    assert.deepEqual(problems.slice(seen), []);
  });

  test('a filtered audit view can be linked, and reads at 390 px without scrolling sideways', async () => {
    const admin = ((await api.get(`/users?q=${harness.admin.username}`)).body.items as { id: string; username: string }[])
      .find((user) => user.username === harness.admin.username)!;
    const phone = await openConsole(harness.chromium, { width: 390, height: 844 });
    try {
      await signIn(phone.page, harness.server, harness.admin, `/console/audit?type=sign_in.succeeded&user_id=${admin.id}`);
      const seen = phone.problems.length; // the login page's own are the sign-in test's to check
      await phone.page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      await phone.page.locator('table.list tbody tr').first().waitFor();
      assert.equal(await phone.page.getByLabel('Event type').inputValue(), 'sign_in.succeeded');
      const userField = phone.page.getByLabel('User', { exact: true });
      await until(async () => (await userField.inputValue()) === harness.admin.username, 'the user filter shows the user\'s name');
      assert.equal(await scrollsSideways(phone.page), false, 'the audit log fits 390 px');
      await screenshot(phone.page, 'audit-390');
      await phone.page.locator('table.list tbody tr').first().getByRole('button').click();
      await phone.page.getByRole('dialog').waitFor();
      assert.equal(await scrollsSideways(phone.page), false, 'the event detail fits 390 px');
      await phone.page.keyboard.press('Escape');
      for (const [screen, heading] of [['Keys', 'Keys'], ['Scopes', 'Scopes']] as const) {
        await openScreen(phone.page, screen);
        await phone.page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await phone.page.locator('table.list tbody tr').first().waitFor();
        assert.equal(await scrollsSideways(phone.page), false, `${screen} fits 390 px`);
      }
      await screenshot(phone.page, 'scopes-390');
      assert.deepEqual(phone.problems.slice(seen), []);
    } finally {
      await phone.context.close();
    }
  });
});

