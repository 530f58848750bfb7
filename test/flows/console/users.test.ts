import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openConsole, openScreen, screenshot, scrollsSideways, signIn, startConsole, type ConsoleHarness } from '../../helpers/console.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';

/** The message shown beside a labelled field, which the field names in its aria-describedby. */
async function errorBeside(page: Page, label: string): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  const error = page.locator('.field', { has: input }).locator('.field-error');
  await error.waitFor();
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const described = (await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()))).join(' ');
  const text = (await error.textContent()) ?? '';
  assert.ok(described.includes(text), `the field's description includes its error: ${described}`);
  return text;
}

/** The console, signed in, is let in by the management API: its first call is answered, not refused, and Applications shows. */
async function letIn(page: Page, signingIn: Promise<void>): Promise<void> {
  const firstCall = page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/api/v1/'));
  await signingIn;
  assert.equal((await firstCall).status(), 200, 'the management API answers the signed-in person');
  await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Not an administrator' }).count(), 0);
}

/** Answers the open confirmation dialog with its confirming button. */
async function confirm(page: Page, button: string): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('the console manages users and groups', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;
  let api: ApiClient;
  const rosa = { username: 'rosa', password: 'a long enough passphrase 42' };
  let rosaId: string;

  before(async () => {
    harness = await startConsole({ declarations: { applications: [automation], users: [{ username: 'dora', email: 'dora@example.com', groups: ['research'] }] } });
    api = apiClient(harness.server, await machineToken(harness.server));
  });
  after(async () => harness?.close());

  test('the users list shows the first administrator, with its group, and searches', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await openScreen(page, 'Users');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: harness.admin.username, exact: true }) });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /gatehouse-admins/);
    assert.match(text, /Active/);
    await screenshot(page, 'users-list');

    await page.getByLabel('Search', { exact: true }).fill('nobody-has-this-name');
    await page.getByRole('heading', { name: 'No users match' }).waitFor();
    await page.getByRole('button', { name: 'Clear the search' }).click();
    await row.waitFor();
    assert.deepEqual(problems.slice(seen), []);
  });

  test('a user created through the form is refused a short password beside the field first', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await page.getByRole('link', { name: 'Create user' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create user' }).waitFor();
    await page.getByLabel('User name', { exact: true }).fill(rosa.username);
    await page.getByLabel('Full name', { exact: true }).fill('Rosa Luxemburg');
    await page.getByLabel('Email', { exact: true }).fill('rosa@example.com');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create user' }).click();
    assert.match(await errorBeside(page, 'Password'), /at least 12 characters/);
    assert.deepEqual((await api.get('/users?q=rosa')).body.items, [], 'nothing is created with a refused password');

    await page.getByLabel('Password', { exact: true }).fill(rosa.password);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { level: 1, name: rosa.username }).waitFor();
    await page.getByText('rosa is created.').waitFor();
    rosaId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);

    const stored = await api.get(`/users/${encodeURIComponent(rosaId)}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.username, 'rosa');
    assert.equal(stored.body.email, 'rosa@example.com');
    assert.equal(stored.body.name, 'Rosa Luxemburg');
    assert.equal(stored.body.has_password, true);
    assert.deepEqual(stored.body.groups, []);
    assert.deepEqual(problems.slice(seen), []);
  });

  test('the new user signs in and is told they are not an administrator, until they are added to gatehouse-admins', async () => {
    const first = await openConsole(harness.chromium);
    const refused = first.page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/api/v1/'));
    await signIn(first.page, harness.server, rosa);
    assert.equal((await refused).status(), 403);
    await first.page.getByRole('heading', { level: 1, name: 'Not an administrator' }).waitFor();
    const refusedProblems = [...first.problems];
    await first.context.close();

    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    assert.equal(new URL(page.url()).pathname, `/console/users/${rosaId}`);
    await page.getByLabel('Add to group', { exact: true }).fill('gatehouse-admins');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('rosa is now an administrator').waitFor();
    assert.deepEqual((await api.get(`/users/${encodeURIComponent(rosaId)}`)).body.groups, ['gatehouse-admins']);

    const again = await openConsole(harness.chromium);
    await letIn(again.page, signIn(again.page, harness.server, rosa));
    const admittedProblems = [...again.problems];
    await again.context.close();
    assert.deepEqual(refusedProblems, [], 'no problem for the non-administrator');
    assert.deepEqual(admittedProblems, [], 'no problem for the administrator');
    assert.deepEqual(problems.slice(seen), []);
  });

  test('a user locked out by failed sign-ins is unlocked from their page', async () => {
    const visit = await openConsole(harness.chromium);
    const login = visit.page;
    await login.goto(`${harness.server.url}/console/`);
    await login.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    const attempt = async (password: string) => {
      await login.getByLabel('Username or email').fill(rosa.username);
      await login.getByLabel('Password').fill(password);
      await Promise.all([login.waitForResponse((response) => response.request().method() === 'POST'), login.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    };
    for (let failures = 0; failures < 5; failures += 1) {
      await attempt('not the password at all');
      await login.getByText('The username or password is incorrect').waitFor();
    }
    // Locked: the right password is refused too, with the same sentence.
    await attempt(rosa.password);
    await login.getByText('The username or password is incorrect').waitFor();
    assert.ok(new URL(login.url()).pathname.startsWith('/interaction/'));

    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByText('The lock is lifted').waitFor();

    await letIn(login, attempt(rosa.password));
    await visit.context.close();
    assert.deepEqual(problems.slice(seen), []);
  });

  test('the user page lists the sessions, and Sign out everywhere ends them', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    // Through the list again, so the page loads what the two sign-ins left.
    await openScreen(page, 'Users');
    await page.getByRole('link', { name: 'rosa', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'rosa' }).waitFor();
    const sessions = page.getByRole('table', { name: 'Sessions' });
    await sessions.waitFor();
    assert.ok((await sessions.getByRole('row').count()) >= 2, 'a heading row and at least one session');
    assert.match((await sessions.textContent()) ?? '', /Gatehouse console/);
    assert.ok((await api.get(`/users/${encodeURIComponent(rosaId)}/sessions`)).body.sessions.length >= 1);

    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await confirm(page, 'Sign out everywhere');
    await page.getByRole('heading', { name: 'Not signed in anywhere' }).waitFor();
    const after = (await api.get(`/users/${encodeURIComponent(rosaId)}/sessions`)).body;
    assert.deepEqual(after, { sessions: [], grants: [] });
    assert.deepEqual(problems.slice(seen), []);
  });

  test('a password is set through its form, the policy refusing a short one beside the field', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await page.getByLabel('New password', { exact: true }).fill('tiny');
    await page.getByRole('button', { name: 'Set password' }).click();
    assert.match(await errorBeside(page, 'New password'), /at least 12 characters/);
    await page.getByLabel('New password', { exact: true }).fill('another long passphrase 7');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('The password is set.').waitFor();
    rosa.password = 'another long passphrase 7';
    assert.deepEqual(problems.slice(seen), []);
  });

  test('disabling a user through the console disables it in the API', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await confirm(page, 'Disable rosa');
    await page.getByText('rosa is disabled').waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    const stored = await api.get(`/users/${encodeURIComponent(rosaId)}`);
    assert.equal(stored.body.disabled, true);
    await screenshot(page, 'user-detail');
    assert.deepEqual(problems.slice(seen), []);
  });

  test('the groups screen lists gatehouse-admins with its members, and a group is started with its first member', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await openScreen(page, 'Groups');
    await page.getByRole('heading', { level: 1, name: 'Groups' }).waitFor();
    const admins = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'gatehouse-admins', exact: true }) });
    await admins.waitFor();
    assert.match((await admins.textContent()) ?? '', /2 members/);
    await screenshot(page, 'groups');

    await admins.getByRole('link', { name: 'gatehouse-admins' }).click();
    await page.getByRole('heading', { level: 1, name: 'gatehouse-admins' }).waitFor();
    const members = page.getByRole('table', { name: 'Members of gatehouse-admins' });
    await members.getByRole('link', { name: harness.admin.username, exact: true }).waitFor();
    await members.getByRole('link', { name: 'rosa', exact: true }).waitFor();

    await openScreen(page, 'Groups');
    await page.getByLabel('Group name', { exact: true }).fill('staff');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'staff' }).waitFor();
    await page.getByRole('heading', { name: 'Nobody is in staff yet' }).waitFor();
    await page.getByLabel('User name or email', { exact: true }).fill('nobody-has-this-name');
    await page.getByRole('button', { name: 'Add member' }).click();
    assert.match(await errorBeside(page, 'User name or email'), /No user has the user name/);
    await page.getByLabel('User name or email', { exact: true }).fill('ROSA');
    await page.getByRole('button', { name: 'Add member' }).click();
    const staff = page.getByRole('table', { name: 'Members of staff' });
    await staff.getByRole('link', { name: 'rosa', exact: true }).waitFor();
    await screenshot(page, 'group-detail');
    assert.deepEqual((await api.get(`/users/${encodeURIComponent(rosaId)}`)).body.groups, ['gatehouse-admins', 'staff']);
    assert.deepEqual((await api.get('/groups')).body.items, [{ name: 'gatehouse-admins', members: 2 }, { name: 'research', members: 1 }, { name: 'staff', members: 1 }]);

    await staff.getByRole('button', { name: 'Remove' }).click();
    await confirm(page, 'Remove from staff');
    await page.getByRole('heading', { name: 'Nobody is in staff yet' }).waitFor();
    assert.deepEqual((await api.get(`/users/${encodeURIComponent(rosaId)}`)).body.groups, ['gatehouse-admins']);
    assert.deepEqual(problems.slice(seen), []);
  });

  test('a user the configuration file declares is shown read-only', async () => {
    const { page, problems } = harness.signedIn;
    const seen = problems.length;
    await openScreen(page, 'Users');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'dora', exact: true }) });
    assert.match((await row.textContent()) ?? '', /Declared/);
    await row.getByRole('link', { name: 'dora' }).click();
    await page.getByRole('heading', { level: 1, name: 'dora' }).waitFor();
    await page.getByText('This user is declared in the configuration file').waitFor();
    assert.equal(await page.getByLabel('Email', { exact: true }).getAttribute('readonly'), '');
    assert.equal(await page.getByRole('button', { name: 'Disable', exact: true }).isDisabled(), true);
    for (const absent of ['Save profile', 'Set password', 'Delete user', 'Add']) {
      assert.equal(await page.getByRole('button', { name: absent, exact: true }).count(), 0, `no ${absent} for a declared user`);
    }
    // What the API does for a declared user stays: its sessions can be ended, its lock lifted.
    await page.getByRole('heading', { name: 'Not signed in anywhere' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Unlock', exact: true }).isEnabled(), true);
    assert.deepEqual(problems.slice(seen), []);
  });

  test('at 390 px a user page, the users list and the groups do not scroll sideways', async () => {
    const phone = await openConsole(harness.chromium, { width: 390, height: 844 });
    await signIn(phone.page, harness.server, harness.admin, `/console/users/${encodeURIComponent(rosaId)}`);
    await phone.page.getByRole('heading', { level: 1, name: 'rosa' }).waitFor();
    await phone.page.getByRole('table', { name: 'Linked identities' }).or(phone.page.getByRole('heading', { name: 'No linked identities' })).waitFor();
    assert.equal(await scrollsSideways(phone.page), false, 'the user page fits 390 px');
    await screenshot(phone.page, 'user-detail-phone');
    for (const screen of ['Users', 'Groups']) {
      await openScreen(phone.page, screen);
      await phone.page.getByRole('table').first().waitFor();
      assert.equal(await scrollsSideways(phone.page), false, `${screen} fits 390 px`);
    }
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
  });
});
