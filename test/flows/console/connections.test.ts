/*
 * The console's Connections screens (issue 19): an administrator creates an OIDC connection to an
 * upstream provider started here, copies the callback URL the console shows into it, runs Test
 * connection and completes its round trip in the browser; a bad discovery URL is refused beside
 * its field; a JWT SSO partner gets a generated secret and its contract, and that secret signs a
 * real partner sign-in.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import type { Page } from 'playwright-core';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openConsole, openScreen, screenshot, scrollsSideways, signIn, startConsole, type ConsoleHarness } from '../../helpers/console.js';
import { automation, callApi, machineToken } from '../../helpers/management-api.js';
import { startUpstreamIdp, type UpstreamIdp } from '../../helpers/upstream-idp.js';

const upstreamSecret = 'upstream-client-secret-0123456789abcdef';
const ann = { sub: '00u1ann', preferred_username: 'ann', email: 'ann@corp.example.test', email_verified: true, name: 'Ann Example', department: 'Research' };

/** The value of a CopyValue by its label. */
const copied = (page: Page, label: string) => page.getByTestId(`copy-${label}`).first().textContent();

/** The error the form shows under the field with this label. */
const errorBeside = (page: Page, label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('.field-error');

describe('the console\'s connections', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;
  let upstream: UpstreamIdp;
  let token: string;
  /** The partner's sign-in page, as its developers implement the contract: a token for the person, back to the callback. */
  let partner: Server;
  let partnerUrl: string;
  let partnerSecret: string;
  /** What the browser had reported before this file's screens, during the sign-in on Gatehouse's login page. */
  let problemsBefore: number;
  const api = (method: string, path: string, body?: unknown) => callApi(harness.server, token, method, path, body);

  before(async () => {
    upstream = await startUpstreamIdp({ users: [ann], name: 'Corp Okta' });
    harness = await startConsole({ env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' }, declarations: { applications: [automation] } });
    token = await machineToken(harness.server);
    problemsBefore = harness.signedIn.problems.length;
    partner = createServer((req, res) => {
      void (async () => {
        const callback = new URL(new URL(req.url!, partnerUrl).searchParams.get('gatehouse_callback_url')!);
        const jwt = await new SignJWT({ sub: 'p-42', email: 'pat@partner.example.test', given_name: 'Pat', family_name: 'Partner' })
          .setProtectedHeader({ alg: 'HS256' }).setIssuer('https://portal.example.test').setAudience(harness.server.url)
          .setJti(randomUUID()).setIssuedAt().setExpirationTime('2m').sign(new TextEncoder().encode(partnerSecret));
        callback.searchParams.set('token', jwt);
        res.writeHead(302, { location: callback.href }).end();
      })();
    });
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    partnerUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}/sso/gatehouse`;
  });
  after(async () => {
    await harness?.close();
    await upstream?.close();
    partner?.close();
  });

  test('with no connection, the list says what one is and offers both kinds', async () => {
    const { page } = harness.signedIn;
    await openScreen(page, 'Connections');
    await page.getByRole('heading', { name: 'No connections yet' }).waitFor();
    assert.ok(await page.getByRole('link', { name: 'Add an OpenID Connect provider' }).isVisible());
    assert.ok(await page.getByRole('link', { name: 'Add a JWT SSO partner' }).isVisible());
    await screenshot(page, 'connections-empty');
  });

  test('an OIDC connection is created from the discovery URL, with the callback URL shown first and following the id', async () => {
    const { page } = harness.signedIn;
    await page.getByRole('link', { name: 'Add an OpenID Connect provider' }).click();
    await page.getByRole('heading', { level: 1, name: 'New OpenID Connect connection' }).waitFor();
    await page.getByRole('group', { name: 'Provider', exact: true }).getByRole('button', { name: /^Okta/ }).click();
    assert.equal(await page.getByLabel('Connection id').inputValue(), 'okta');
    assert.equal(await copied(page, 'Callback URL (redirect URI)'), `${harness.server.url}/login/oidc/okta/callback`);

    await page.getByLabel('Name', { exact: true }).fill('Corp account');
    await page.getByLabel('Connection id').fill('corp');
    const shown = await copied(page, 'Callback URL (redirect URI)');
    assert.equal(shown, `${harness.server.url}/login/oidc/corp/callback`, 'the URL follows the id as it is typed');
    // The callback URL comes before the form asks for the client ID.
    const callbackBox = await page.getByTestId('copy-Callback URL (redirect URI)').boundingBox();
    const clientIdBox = await page.getByLabel('Client ID').boundingBox();
    assert.ok(callbackBox && clientIdBox && callbackBox.y < clientIdBox.y);
    // The administrator pastes it into the upstream's application.
    upstream.addClient({ clientId: 'gatehouse-corp', clientSecret: upstreamSecret, redirectUris: [shown!] });

    // The issuer pasted where its discovery document belongs: the API's message, beside the field.
    await page.getByLabel('Discovery URL', { exact: true }).fill(upstream.issuer);
    await page.getByLabel('Client ID').fill('gatehouse-corp');
    await page.getByLabel('Client secret').fill(upstreamSecret);
    await screenshot(page, 'connection-new');
    await page.getByRole('button', { name: 'Create connection' }).click();
    await errorBeside(page, 'Discovery URL').waitFor();
    assert.match(await errorBeside(page, 'Discovery URL').textContent() ?? '', /\/\.well-known\/openid-configuration/);
    assert.equal(await page.getByLabel('Discovery URL', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal((await api('GET', '/connections/corp')).status, 404, 'nothing was created');

    await page.getByRole('button', { name: 'Add /.well-known/openid-configuration' }).click();
    assert.equal(await page.getByLabel('Discovery URL', { exact: true }).inputValue(), upstream.discoveryUrl);
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Corp account' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/connections/corp');

    const stored = await api('GET', '/connections/corp');
    assert.equal(stored.status, 200);
    assert.equal(stored.body.discovery_url, upstream.discoveryUrl);
    assert.equal(stored.body.client_id, 'gatehouse-corp');
    assert.equal(stored.body.has_secret, true);
    assert.equal(stored.body.trust_upstream_mfa, false, 'the upstream\'s MFA is not trusted unless asked');
    assert.equal(stored.body.callback_url, shown, 'the console showed the callback URL the server uses');
    assert.equal(await copied(page, 'Callback URL (redirect URI)'), shown);
  });

  test('Test connection passes every check, and its sign-in round trip shows the claims in a new tab', async () => {
    const { page, context } = harness.signedIn;
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Every check passed/).waitFor();
    const checks = page.locator('.checks .check');
    assert.equal(await checks.count(), 5);
    assert.equal(await checks.locator('.badge-good', { hasText: 'Pass' }).count(), 5);
    assert.equal(await checks.locator('.badge-bad').count(), 0);
    for (const name of ['metadata', 'issuer', 'endpoints', 'jwks', 'client_credentials']) {
      assert.ok(await checks.locator('code', { hasText: new RegExp(`^${name}$`) }).isVisible(), name);
    }
    await screenshot(page, 'connection-test');

    const [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'Open the test sign-in' }).click()]);
    await tab.waitForURL((url) => url.origin === upstream.origin);
    await tab.getByLabel('Username').fill('ann');
    await tab.getByRole('button', { name: 'Sign in', exact: true }).click();
    await tab.getByRole('heading', { level: 1, name: 'Corp account: the sign-in works' }).waitFor();
    const claims = Object.fromEntries(await tab.locator('table.claims tr').evaluateAll((rows) => rows.map((row) => [row.querySelector('th')?.textContent?.trim(), row.querySelector('td')?.textContent?.trim()])));
    assert.equal(claims.sub, JSON.stringify(ann.sub));
    assert.equal(claims.preferred_username, '"ann"');
    assert.equal(claims.department, '"Research"');
    assert.match(await tab.locator('body').textContent() ?? '', /Would create the account "ann"/);
    assert.equal(upstream.authorizationRequests.at(-1)?.get('redirect_uri'), await copied(page, 'Callback URL (redirect URI)'), 'the upstream received the callback URL shown');
    await tab.close();
    const users = await api('GET', '/users?q=ann');
    assert.deepEqual(users.body.items, [], 'the test created nobody');
  });

  test('editing keeps the stored client secret, and Test connection still passes with it', async () => {
    const { page } = harness.signedIn;
    await page.getByRole('button', { name: 'Edit settings' }).click();
    await page.getByLabel('Known users only').check();
    await page.getByLabel('Groups claim').fill('groups');
    await page.getByLabel('Trust this provider\'s MFA').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('The changes are saved.').waitFor();
    const stored = await api('GET', '/connections/corp');
    assert.equal(stored.body.provisioning, 'existing_users_only');
    assert.equal(stored.body.groups_claim, 'groups');
    assert.equal(stored.body.trust_upstream_mfa, true);
    assert.equal(stored.body.has_secret, true);
    assert.match(await page.locator('.facts').textContent() ?? '', /Known users only/);
    assert.match(await page.locator('.facts').textContent() ?? '', /Trust the provider's MFAYes/);
    await page.getByRole('button', { name: 'Test again' }).click();
    await page.getByText(/Every check passed/).waitFor();
  });

  test('a JWT SSO partner gets a generated secret, shown once, and its contract', async () => {
    const { page } = harness.signedIn;
    await openScreen(page, 'Connections');
    await page.getByRole('link', { name: 'New connection' }).click();
    await page.getByRole('link', { name: /JWT SSO partner/ }).click();
    await page.getByRole('heading', { level: 1, name: 'New JWT SSO connection' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Partner portal');
    assert.equal(await page.getByLabel('Connection id').inputValue(), 'partner-portal');
    await page.getByLabel('Partner\'s sign-in URL').fill(partnerUrl);
    await page.getByLabel('Issuer (iss)').fill('https://portal.example.test');
    await screenshot(page, 'connection-new-jwt');
    const generated = (await copied(page, 'Shared secret'))!;
    assert.match(generated, /^[A-Za-z0-9_-]{64}$/);
    assert.equal(await copied(page, 'Callback URL (gatehouse_callback_url starts with it)'), `${harness.server.url}/login/jwt/partner-portal`);
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Partner portal' }).waitFor();

    await page.getByRole('heading', { name: 'Shared secret: copy it now' }).waitFor();
    partnerSecret = (await copied(page, 'Shared secret'))!;
    assert.equal(partnerSecret, generated);
    const stored = await api('GET', '/connections/partner-portal');
    assert.equal(stored.body.type, 'jwt');
    assert.equal(stored.body.has_secret, true);
    assert.equal(stored.body.issuer, 'https://portal.example.test');
    assert.equal(stored.body.audience, harness.server.url);
    assert.equal(await copied(page, 'Callback URL (gatehouse_callback_url starts with it)'), stored.body.callback_url);
    const contract = page.locator('.contract');
    for (const claim of ['exp', 'jti', 'iss', 'aud', 'sub / email']) assert.ok(await contract.locator('td code', { hasText: new RegExp(`^${claim}$`) }).isVisible(), claim);
    assert.match(await contract.textContent() ?? '', /HS256/);
    assert.match(await contract.textContent() ?? '', /at most 300 s after iat/);
    await screenshot(page, 'connection-jwt');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/a shared secret of 64 bytes verifies HS256/).waitFor();

    // Shown once: the page opened again has no secret to show.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Partner portal' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Shared secret: copy it now' }).count(), 0);
  });

  test('the secret the console showed signs a real partner sign-in', async () => {
    const visit = await harness.chromium.newContext();
    const page = await visit.newPage();
    await page.goto(`${harness.server.url}/login/sso/partner-portal?returnUrl=/`);
    await page.waitForURL((url) => url.origin === harness.server.url && url.pathname === '/');
    await visit.close();
    const users = await api('GET', '/users?q=pat@partner.example.test');
    assert.equal(users.body.items.length, 1, 'the partner\'s token signed Pat in, creating the account');
  });

  test('the list shows both connections with their type and status', async () => {
    const { page, problems } = harness.signedIn;
    await openScreen(page, 'Connections');
    const rows = page.locator('table.list tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).textContent() ?? '', /Corp account.*OIDC.*corp.*Enabled/);
    assert.match(await rows.nth(1).textContent() ?? '', /Partner portal.*JWT SSO.*partner-portal.*Enabled/);
    await screenshot(page, 'connections-list');
    assert.deepEqual(problems.slice(problemsBefore), []);
  });

  test('on a 390 px phone the create page does not scroll sideways', async () => {
    const phone = await openConsole(harness.chromium, { width: 390, height: 844 });
    await signIn(phone.page, harness.server, harness.admin, '/console/connections/new?type=oidc');
    await phone.page.getByRole('heading', { level: 1, name: 'New OpenID Connect connection' }).waitFor();
    const signedInProblems = phone.problems.length;
    await phone.page.getByRole('group', { name: 'Provider', exact: true }).getByRole('button', { name: /^OneLogin/ }).click();
    assert.equal(await phone.page.getByLabel('How the secret is sent').inputValue(), 'client_secret_post');
    assert.equal(await scrollsSideways(phone.page), false);
    await screenshot(phone.page, 'connection-new-phone');
    await openScreen(phone.page, 'Connections');
    await phone.page.getByRole('link', { name: 'Partner portal' }).click();
    await phone.page.getByRole('heading', { level: 1, name: 'Partner portal' }).waitFor();
    assert.equal(await scrollsSideways(phone.page), false);
    await screenshot(phone.page, 'connection-jwt-phone');
    assert.deepEqual(phone.problems.slice(signedInProblems), []);
    await phone.context.close();
  });

  test('deleting asks first, then the connection is gone', async () => {
    const { page, problems } = harness.signedIn;
    await openScreen(page, 'Connections');
    await page.getByRole('link', { name: 'Partner portal' }).click();
    await page.getByRole('button', { name: 'Delete connection' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Delete “Partner portal”?' }).waitFor();
    await page.keyboard.press('Escape');
    assert.equal((await api('GET', '/connections/partner-portal')).status, 200, 'Escape cancels');
    await page.getByRole('button', { name: 'Delete connection' }).click();
    await dialog.getByRole('button', { name: 'Delete connection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    assert.equal((await api('GET', '/connections/partner-portal')).status, 404);
    assert.equal(await page.locator('table.list tbody tr').count(), 1);
    assert.deepEqual(problems.slice(problemsBefore), []);
  });
});
