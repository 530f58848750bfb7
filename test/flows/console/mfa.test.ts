/*
 * MFA administration in the console (issue 20): an administrator sees a user's second factors
 * and removes them one by one behind the confirmation dialog, each removal audited under them;
 * changes the global policy on Sign-in security and back; and makes an application require a
 * second factor, which its edit form keeps with the rest of its settings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { codeAt } from '../../../src/mfa/totp.js';
import type { Actor } from '../../../src/runtime/actor.js';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openScreen, screenshot, screenshotPart, startConsole, type ConsoleHarness } from '../../helpers/console.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';

const system: Actor = { kind: 'system', reason: 'test' };
const rosa = { username: 'rosa', password: 'a long enough passphrase 42' };
const notes = { client_id: 'notes', client_name: 'Network Notes', redirect_uris: ['https://notes.example.com/callback'], grant_types: ['authorization_code', 'refresh_token'] };

/** Answers the open confirmation dialog with its confirming button. */
async function confirm(page: Page, button: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('the console administers second factors and the MFA policy', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;
  let api: ApiClient;

  before(async () => {
    harness = await startConsole({ declarations: { applications: [automation] } });
    api = apiClient(harness.server, await machineToken(harness.server));
  });
  after(async () => harness?.close());

  test('a user\'s factors are listed, and removed one by one behind the dialog, each audited under the administrator', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    const { users, mfa } = harness.server.services;
    const created = await api.post('/users', rosa);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const rosaId = created.body.id as string;
    const { secret } = await mfa.totp.begin(rosaId, rosa.username);
    // The server runs on real time; the code of this moment passes within a step either way.
    assert.equal(await mfa.totp.confirm(system, rosaId, await codeAt(secret, Date.now() / 1000)), true);
    await mfa.recoveryCodes.generate(system, rosaId);

    await openScreen(page, 'Users');
    await page.getByRole('link', { name: rosa.username, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: rosa.username }).waitFor();
    const section = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Second factors' }) });
    const table = section.getByRole('table', { name: 'Second factors' });
    await table.waitFor();
    assert.deepEqual(await table.locator('tbody td[data-label="Factor"]').allInnerTexts(), ['Authenticator app\nSix-digit codes from an app', 'Recovery codes\n10 codes left']);
    await screenshotPart(section, 'user-factors');

    // By the factor's cell: the app's row mentions the recovery codes too, in its dialog's question.
    const codesRow = table.getByRole('row').filter({ has: page.locator('td[data-label="Factor"]', { hasText: 'Recovery codes' }) });
    await codesRow.getByRole('button', { name: 'Remove' }).click();
    assert.match(await page.getByRole('dialog').innerText(), /Remove the recovery codes from rosa\?/);
    await confirm(page, 'Remove');
    await section.getByText('The recovery codes are removed.').waitFor();
    await codesRow.waitFor({ state: 'detached' });
    assert.deepEqual(await table.locator('tbody td[data-label="Factor"]').allInnerTexts(), ['Authenticator app\nSix-digit codes from an app']);

    await table.getByRole('button', { name: 'Remove' }).click();
    assert.match(await page.getByRole('dialog').innerText(), /Remove the authenticator app from rosa\? rosa can no longer sign in with it\./);
    await confirm(page, 'Remove');
    await section.getByRole('heading', { name: 'No second factor set up' }).waitFor();
    await screenshotPart(section, 'user-factors-empty');
    assert.deepEqual((await api.get(`/users/${rosaId}/factors`)).body, { items: [] });

    const adminId = (await users.findByUsername(harness.admin.username))!.id;
    const events = (await api.get(`/audit-events?type=mfa.factor_removed&user_id=${rosaId}`)).body.items as { actor: { kind: string; id: string }; details: { factor: string } }[];
    assert.deepEqual(events.map((event) => [event.actor.kind, event.actor.id, event.details.factor]).sort(), [
      ['api', `user:${adminId}`, 'recovery_codes'],
      ['api', `user:${adminId}`, 'totp'],
    ]);
    assert.deepEqual(problems.slice(seen), []);
  });

  test('the global policy is changed to required and back on Sign-in security', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    const { settings } = harness.server.services.mfa;
    await openScreen(page, 'Sign-in security');
    const policy = page.getByRole('group', { name: 'Policy' });
    const administrators = page.getByRole('group', { name: 'Require a second factor for administrators' });
    assert.equal(await policy.getByLabel('Optional').isChecked(), true);
    assert.equal(await administrators.getByLabel('Automatic').isChecked(), true);
    await page.getByText('since no administrator has set one up yet').waitFor();

    await policy.getByLabel('Required').check();
    await administrators.getByLabel('Always').check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText(/^Saved\./).waitFor();
    await page.getByText('Now: administrators must give a second factor at sign-in.').waitFor();
    assert.deepEqual(await settings.get().then(({ policy, requireForAdministrators }) => ({ policy, requireForAdministrators })), { policy: 'required', requireForAdministrators: true });
    await screenshot(page, 'sign-in-security');

    await policy.getByLabel('Optional').check();
    await administrators.getByLabel('Automatic').check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('since no administrator has set one up yet').waitFor();
    const back = (await api.get('/settings/mfa')).body;
    assert.deepEqual(back, { policy: 'optional', require_for_administrators: null, administrators_required: false, owner: 'database' });
    const changes = (await api.get('/audit-events?type=mfa.settings_changed')).body.items as unknown[];
    assert.equal(changes.length, 2);

    // While the configuration file declares mfa:, the screen shows its values and changes nothing.
    const file: Actor = { kind: 'config_file', file: 'gatehouse.yaml' };
    await settings.declare(file, { policy: 'off', require_for_administrators: false });
    await openScreen(page, 'Branding');
    await openScreen(page, 'Sign-in security');
    await page.getByText('The configuration file\'s mfa: section sets these').waitFor();
    assert.equal(await policy.getByLabel('Off').isChecked(), true);
    assert.equal(await policy.getByLabel('Required').isDisabled(), true);
    assert.equal(await administrators.getByLabel('Never').isChecked(), true);
    assert.equal(await page.getByRole('button', { name: 'Save policy' }).count(), 0);
    await screenshot(page, 'sign-in-security-declared');
    await settings.declare(file, undefined);
    assert.deepEqual(problems.slice(seen), []);
  });

  test('an application made to require a second factor keeps it, and its other settings, when saved', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    assert.equal((await api.post('/applications', notes)).status, 201);
    const stored = async () => JSON.parse((await harness.server.services.applications.find(notes.client_id))!.metadata) as Record<string, unknown>;

    await openScreen(page, 'Applications');
    await page.getByRole('link', { name: notes.client_name }).click();
    await page.getByRole('link', { name: 'Edit settings' }).click();
    const secondFactor = page.getByRole('group', { name: 'Second factor' });
    assert.equal(await secondFactor.getByLabel('As the global policy').isChecked(), true);
    await secondFactor.getByLabel('Always required').check();
    await screenshotPart(page.locator('section.panel', { has: page.getByRole('heading', { name: 'Sign-in', exact: true }) }), 'application-mfa');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: notes.client_name }).waitFor();
    const fact = page.locator('dt', { hasText: 'Second factor' }).locator('xpath=following-sibling::dd[1]');
    assert.equal(await fact.innerText(), 'Always required');
    const saved = await stored();
    assert.equal(saved.mfa, 'required');
    assert.deepEqual(saved.redirect_uris, notes.redirect_uris, 'what the form did not change stays');
    assert.deepEqual(saved.grant_types, notes.grant_types);

    await page.getByRole('link', { name: 'Edit settings' }).click();
    assert.equal(await page.getByRole('group', { name: 'Second factor' }).getByLabel('Always required').isChecked(), true, 'the edit form shows what is saved');
    await page.getByRole('group', { name: 'Second factor' }).getByLabel('As the global policy').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: notes.client_name }).waitFor();
    assert.equal(await fact.innerText(), 'As the global policy');
    assert.equal((await stored()).mfa, undefined, 'inherit is the setting left out');
    assert.deepEqual(problems.slice(seen), []);
  });
});
