import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { applicationInputSchema } from '../../../src/applications/application-schema.js';
import { startCallbackServer } from '../../helpers/callback-server.js';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openConsole, openScreen, screenshot, scrollsSideways, signIn, startConsole, type ConsoleHarness } from '../../helpers/console.js';
import { insecure } from '../../helpers/oauth.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';

type CallbackServer = Awaited<ReturnType<typeof startCallbackServer>>;

/** The text of the messages a form control points to with aria-describedby (its hint and its error). */
async function describedText(page: Page, label: string): Promise<string> {
  const ids = ((await page.getByLabel(label, { exact: true }).getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' | ');
}

/** What the detail page shows once in its "client secret" box. */
async function secretShownOnce(page: Page): Promise<string> {
  const value = page.getByTestId('copy-Client secret');
  await value.waitFor();
  return (await value.textContent())!.trim();
}

describe('the console\'s applications screens', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;
  let callback: CallbackServer;
  let firstSecret = '';
  const clientId = 'network-notes';

  before(async () => {
    harness = await startConsole();
    callback = await startCallbackServer();
  });
  after(async () => {
    await callback?.close();
    await harness?.close();
  });

  test('with no application yet, the list says to create the first one', async () => {
    const { page, problems } = harness.signedIn;
    await openScreen(page, 'Applications');
    await page.getByRole('heading', { level: 2, name: 'Create your first application' }).waitFor();
    assert.ok(await page.getByRole('link', { name: 'Create application' }).isVisible());
    assert.equal(await page.getByRole('searchbox').count(), 0, 'no search box over an empty list');
    await screenshot(page, 'applications-empty');
    assert.deepEqual(problems, []);
  });

  test('the wizard creates a web application whose secret, shown once, completes an authorization code flow', async () => {
    const { page, problems, context } = harness.signedIn;
    await page.getByRole('link', { name: 'Create application' }).click();
    await page.getByRole('heading', { level: 1, name: 'Create an application' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/applications/new');

    // Step 1: the type, as a choice card.
    const continueButton = page.getByRole('button', { name: 'Continue' });
    assert.ok(await continueButton.isDisabled(), 'nothing chosen yet');
    const web = page.getByRole('button', { name: /Web application with a back end/ });
    await web.click();
    assert.equal(await web.getAttribute('aria-pressed'), 'true');
    await screenshot(page, 'applications-wizard');
    await continueButton.click();

    // Step 2: the name suggests the client ID; the safe modes for a web application are pre-selected and explained.
    await page.getByRole('heading', { level: 2, name: 'Web application with a back end' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Network Notes');
    assert.equal(await page.getByLabel('Client ID').inputValue(), clientId);
    await page.getByLabel('Redirect URIs', { exact: true }).fill(`${callback.origin}/callback`);
    await page.getByLabel('Post-logout redirect URIs').fill(`${callback.origin}/`);
    const modes = page.locator('.app-modes');
    for (const mode of ['authorization_code', 'refresh_token', 'client_secret_basic']) assert.ok((await modes.textContent())!.includes(mode), mode);
    await page.getByText('Advanced: grant types').click();
    assert.ok(await page.getByRole('checkbox', { name: /^Refresh token/ }).isChecked());
    assert.equal(await page.getByLabel('Token endpoint authentication').inputValue(), 'client_secret_basic');
    await screenshot(page, 'applications-wizard-settings');
    await page.getByRole('button', { name: 'Create application' }).click();

    // The detail page shows the generated secret this once.
    await page.waitForURL((url) => url.pathname === `/console/applications/${clientId}`);
    await page.getByRole('heading', { level: 1, name: 'Network Notes' }).waitFor();
    assert.ok(await page.getByText('Copy it now: it will not be shown again.').isVisible());
    firstSecret = await secretShownOnce(page);
    assert.ok(firstSecret.length >= 32, 'a generated secret');
    await page.locator('.app-secret-once').getByRole('button', { name: /^Copy/ }).click();
    await page.getByText('Copied', { exact: true }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), firstSecret);

    // Stored as the wizard said: the web application's safe settings.
    const stored = await harness.server.services.applications.find(clientId);
    assert.ok(stored, 'the application exists');
    const metadata = JSON.parse(stored.metadata) as Record<string, unknown>;
    assert.deepEqual(metadata.grant_types, ['authorization_code', 'refresh_token']);
    assert.equal(metadata.token_endpoint_auth_method, 'client_secret_basic');
    assert.equal(metadata.client_name, 'Network Notes');
    assert.deepEqual(metadata.redirect_uris, [`${callback.origin}/callback`]);

    // The detail page shows what to paste into the application.
    const discovered = await (await fetch(`${harness.server.url}/oidc/.well-known/openid-configuration`)).json() as { issuer: string; authorization_endpoint: string };
    assert.equal(await page.getByTestId('copy-Issuer').textContent(), discovered.issuer);
    assert.equal(await page.getByTestId('copy-Discovery URL').textContent(), `${discovered.issuer}/.well-known/openid-configuration`);
    assert.equal(await page.getByTestId('copy-Client ID').textContent(), clientId);
    const example = new URL((await page.getByTestId('copy-Authorization URL').textContent())!);
    assert.equal(`${example.origin}${example.pathname}`, discovered.authorization_endpoint);
    assert.equal(example.searchParams.get('client_id'), clientId);
    assert.equal(example.searchParams.get('redirect_uri'), `${callback.origin}/callback`);
    assert.equal(example.searchParams.get('response_type'), 'code');
    assert.equal(example.searchParams.get('code_challenge'), null, 'a confidential application is not shown the PKCE placeholder');
    await page.locator('.app-secret-once h2').blur();
    await screenshot(page, 'applications-detail');

    // An application signs the administrator in with those credentials.
    const config = await oidc.discovery(new URL(harness.server.issuer), clientId, firstSecret, undefined, insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${callback.origin}/callback`, scope: 'openid profile', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const flow = await context.newPage();
    const received = callback.next();
    await flow.goto(authorizationUrl.href);
    await flow.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await flow.getByRole('button', { name: 'Allow' }).click();
    const { url } = await received;
    await flow.close();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(`${callback.origin}${url.pathname}${url.search}`), { pkceCodeVerifier: verifier, expectedState: state });
    assert.ok(tokens.access_token, 'an access token');
    assert.ok(tokens.id_token, 'an id_token');
    const admin = await harness.server.services.users.findByUsername(harness.admin.username);
    assert.equal(tokens.claims()?.sub, admin?.id);

    // Shown once: coming back to the page does not show the secret again.
    await openScreen(page, 'Applications');
    await page.getByRole('link', { name: 'Network Notes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Network Notes' }).waitFor();
    await page.getByText('Shown only when it is created or rotated').waitFor();
    assert.equal(await page.getByTestId('copy-Client secret').count(), 0);
    assert.deepEqual(problems, []);
  });

  test('a redirect URI the API refuses shows its message next to the field', async () => {
    const { page, problems } = harness.signedIn;
    await openScreen(page, 'Applications');
    await page.getByRole('link', { name: 'Create application' }).click();
    // By keyboard: choose the single-page application card and continue.
    await page.getByRole('button', { name: /Single-page application/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Single-page application' }).waitFor();
    assert.equal(await page.locator(':focus').textContent(), 'Single-page application', 'focus moves to the new step');
    assert.ok((await page.locator('.app-modes').textContent())!.includes('none'), 'a single-page application is public');
    await page.getByLabel('Name', { exact: true }).fill('Broken redirect');
    await page.getByLabel('Redirect URIs', { exact: true }).fill('https://spa.example.com/callback#signed-in');
    const answer = page.waitForResponse((response) => response.url().endsWith('/api/v1/applications') && response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create application' }).click();
    const problem = await (await answer).json() as { details: { path: string; message: string }[] };
    const refused = problem.details.find((detail) => detail.path.startsWith('body.redirect_uris'));
    assert.ok(refused, JSON.stringify(problem));
    await page.locator('.field-error').first().waitFor();
    assert.ok((await describedText(page, 'Redirect URIs')).includes(refused.message), 'the message is tied to the field');
    assert.equal(await page.getByLabel('Redirect URIs', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await harness.server.services.applications.find('broken-redirect'), undefined, 'nothing was created');
    await screenshot(page, 'applications-wizard-refused');
    assert.deepEqual(problems, []);
  });

  test('the list finds applications by client ID or name, and shows declared ones read-only', async () => {
    const { page, problems } = harness.signedIn;
    // More applications beside the one from the wizard: one of them as the configuration file declares it.
    const { applications } = harness.server.services;
    const noCheck = async () => {};
    const file = { kind: 'config_file', file: 'gatehouse.yaml' } as const;
    const api = { kind: 'api', subject: 'test' } as const;
    await applications.createApplication(file, applicationInputSchema.parse({ client_id: 'reports-robot', client_name: 'Reports robot', grant_types: ['client_credentials'], scope: 'openid' }), noCheck);
    await applications.createApplication(api, applicationInputSchema.parse({ client_id: 'team-calendar', client_name: 'Team calendar', redirect_uris: ['https://calendar.example.com/callback'], token_endpoint_auth_method: 'none' }), noCheck);
    await applications.createApplication(api, applicationInputSchema.parse({ client_id: 'field-app', client_name: 'Field app', redirect_uris: ['com.example.field:/callback'], token_endpoint_auth_method: 'none', application_type: 'native' }), noCheck);

    await openScreen(page, 'Applications');
    const rows = page.locator('tbody tr');
    await page.getByRole('row', { name: /Reports robot/ }).waitFor();
    // In client_id order: field-app, network-notes, reports-robot, team-calendar.
    assert.deepEqual(await rows.locator('td[data-label="Type"]').allTextContents(), ['Native app', 'Web app', 'Machine to machine', 'Single-page app']);
    assert.ok((await page.getByRole('row', { name: /Reports robot/ }).textContent())!.includes('Declared'));
    await screenshot(page, 'applications-list');

    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill('zzz-nothing');
    await page.getByRole('heading', { name: 'No application matches "zzz-nothing"' }).waitFor();
    const shown = () => rows.locator('td[data-label="Client ID"]').allTextContents();
    await search.fill('NOTES');
    await page.getByRole('row', { name: /Network Notes/ }).waitFor();
    assert.deepEqual(await shown(), ['network-notes'], 'found by name, ignoring case');
    await search.fill('ports-rob');
    await page.getByRole('row', { name: /Network Notes/ }).waitFor({ state: 'detached' });
    assert.deepEqual(await shown(), ['reports-robot'], 'found by client ID');

    // A declared application is shown, not changed.
    await page.getByRole('link', { name: 'Reports robot' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports robot' }).waitFor();
    await page.getByText('declared in the configuration file').waitFor();
    for (const action of ['Edit settings', 'Rotate secret', 'Delete application']) {
      assert.equal(await page.getByRole(action === 'Edit settings' ? 'link' : 'button', { name: action }).count(), 0, `no ${action}`);
    }
    await page.getByRole('heading', { name: 'Example token request' }).waitFor();
    assert.ok((await page.locator('pre').textContent())!.includes('grant_type=client_credentials'));

    // A single-page application's example authorization URL carries the PKCE challenge, explained.
    await openScreen(page, 'Applications');
    await page.getByRole('link', { name: 'Team calendar' }).click();
    const example = new URL((await page.getByTestId('copy-Authorization URL').textContent())!);
    assert.equal(example.searchParams.get('code_challenge'), 'CODE_CHALLENGE');
    assert.equal(example.searchParams.get('code_challenge_method'), 'S256');
    await page.getByText('a public application has no secret, so this proves the code is its own').waitFor();
    await openScreen(page, 'Applications');
    assert.deepEqual(problems, []);
  });

  test('rotating the secret asks first, shows the new one once, and the old one is refused', async () => {
    const { page, problems } = harness.signedIn;
    await page.getByRole('link', { name: 'Network Notes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Network Notes' }).waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('The current secret stops working at once').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByTestId('copy-Client secret').count(), 0, 'cancelled: nothing rotated');

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await dialog.getByRole('button', { name: 'Rotate the secret' }).click();
    const secret = await secretShownOnce(page);
    assert.notEqual(secret, firstSecret);
    const code = { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: `${callback.origin}/callback` };
    const old = await postToken(harness.server, code, basicAuth(clientId, firstSecret));
    assert.equal(old.status, 401);
    assert.equal(old.body.error, 'invalid_client');
    const current = await postToken(harness.server, code, basicAuth(clientId, secret));
    assert.equal(current.body.error, 'invalid_grant', 'the new secret authenticates the application (only the code is wrong)');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    assert.equal(await page.getByTestId('copy-Client secret').count(), 0);
    assert.deepEqual(problems, []);
  });

  test('editing replaces the settings with every field the form shows, the branding and the verified email requirement included', async () => {
    const { page, problems } = harness.signedIn;
    await page.getByRole('link', { name: 'Edit settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit Network Notes' }).waitFor();
    await screenshot(page, 'applications-edit');
    await page.getByLabel('Post-logout redirect URIs').fill(`${callback.origin}/\n${callback.origin}/bye`);
    await page.getByLabel('id_token signature algorithm').selectOption('ES256');
    await page.getByRole('checkbox', { name: /^Require a verified email address/ }).check();
    // Branding: a colour the API refuses is named beside its field; the preview follows what is typed.
    await page.getByLabel('Name on the sign-in pages').fill('Notes at Acme');
    await page.getByLabel('Primary colour', { exact: true }).fill('#ffff00');
    await page.getByLabel('Background colour', { exact: true }).fill('#f0fdfa');
    assert.equal(await page.getByTestId('branding-preview').locator('.preview-title').textContent(), 'Sign in to Notes at Acme');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.field-error', { hasText: 'with white text' }).waitFor();
    assert.match(await describedText(page, 'Primary colour'), /with white text, below the 4\.5:1/);
    await page.getByLabel('Primary colour', { exact: true }).fill('#0f766e');
    await screenshot(page, 'applications-edit-branding');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Network Notes' }).waitFor();
    await page.getByText(`${callback.origin}/bye`).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Branding' }).waitFor();
    assert.ok(await page.getByText('Required: a sign-in completes only for people whose email address is verified.').isVisible());
    const metadata = JSON.parse((await harness.server.services.applications.find(clientId))!.metadata) as Record<string, unknown>;
    assert.deepEqual(metadata.post_logout_redirect_uris, [`${callback.origin}/`, `${callback.origin}/bye`]);
    assert.equal(metadata.id_token_signed_response_alg, 'ES256');
    assert.equal(metadata.require_verified_email, true);
    assert.deepEqual(metadata.branding, { name: 'Notes at Acme', primary_color: '#0f766e', background_color: '#f0fdfa' });
    assert.deepEqual(metadata.grant_types, ['authorization_code', 'refresh_token'], 'what the form did not change stays');
    assert.deepEqual(metadata.redirect_uris, [`${callback.origin}/callback`]);
    assert.deepEqual(problems, []);
  });

  test('the detail page at 390 px wide does not scroll sideways', async () => {
    const phone = await openConsole(harness.chromium, { width: 390, height: 844 });
    try {
      await signIn(phone.page, harness.server, harness.admin, `/console/applications/${clientId}`);
      await phone.page.getByRole('heading', { level: 1, name: 'Network Notes' }).waitFor();
      await phone.page.getByTestId('copy-Authorization URL').waitFor();
      assert.equal(await scrollsSideways(phone.page), false);
      await screenshot(phone.page, 'applications-detail-phone');
      await phone.page.goto(`${harness.server.url}/console/applications/new`);
      await phone.page.getByRole('button', { name: /Machine to machine/ }).click();
      await phone.page.getByRole('button', { name: 'Continue' }).click();
      await phone.page.getByText('it has no redirect URIs').waitFor();
      await phone.page.locator('summary').click();
      assert.equal(await scrollsSideways(phone.page), false, 'the wizard neither');
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });

  test('deleting asks first, then the application is gone', async () => {
    const { page, problems } = harness.signedIn;
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete it' }).click();
    await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
    await page.getByRole('row', { name: /Team calendar/ }).waitFor();
    assert.equal(await page.getByRole('row', { name: /Network Notes/ }).count(), 0);
    assert.equal(await harness.server.services.applications.find(clientId), undefined);
    assert.deepEqual(problems, []);
  });

  test('a long list is shown a page at a time', async () => {
    const { page, problems } = harness.signedIn;
    const api = { kind: 'api', subject: 'test' } as const;
    for (let i = 0; i < 52; i += 1) {
      const id = `batch-${String(i).padStart(2, '0')}`;
      await harness.server.services.applications.createApplication(api, applicationInputSchema.parse({ client_id: id, grant_types: ['client_credentials'], client_secret: `${id}-secret-`.padEnd(40, '0') }), async () => {});
    }
    await openScreen(page, 'Keys');
    await openScreen(page, 'Applications');
    const rows = page.locator('tbody tr');
    await page.getByRole('button', { name: 'Show more applications' }).click();
    await page.getByRole('row', { name: /team-calendar/ }).waitFor();
    // 52 + field-app, reports-robot, team-calendar: every one once, in client_id order.
    const ids = await rows.locator('td[data-label="Client ID"]').allTextContents();
    assert.equal(ids.length, 55);
    assert.deepEqual(ids, [...ids].sort());
    assert.equal(new Set(ids).size, 55);
    assert.equal(await page.getByRole('button', { name: 'Show more applications' }).count(), 0, 'the last page');
    assert.deepEqual(problems, []);
  });
});
