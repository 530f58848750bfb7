/*
 * The console issue's "done when", end to end: a new administrator, in the browser only,
 * registers an application, adds a user and an upstream connection, tests the connection, and
 * that user then signs in to the application through the upstream provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { startCallbackServer } from '../../helpers/callback-server.js';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openConsole, openScreen, startConsole, type ConsoleHarness } from '../../helpers/console.js';
import { insecure } from '../../helpers/oauth.js';
import { startUpstreamIdp, type UpstreamIdp } from '../../helpers/upstream-idp.js';

const ann = { sub: '00u1ann', preferred_username: 'ann', email: 'ann@corp.example.test', email_verified: true, name: 'Ann Example' };

describe('a new administrator\'s first day, in the browser only', { skip: skipWithoutChromium }, () => {
  let harness: ConsoleHarness;
  let upstream: UpstreamIdp;
  let app: Awaited<ReturnType<typeof startCallbackServer>>;

  before(async () => {
    upstream = await startUpstreamIdp({ users: [ann], name: 'Corp Okta' });
    app = await startCallbackServer();
    harness = await startConsole({ env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
  });
  after(async () => {
    await harness?.close();
    await upstream?.close();
    await app?.close();
  });

  test('register an application, add a user and a connection, test it, and sign that user in to the application', async () => {
    const { page, problems } = harness.signedIn;

    // The application, through the wizard; its secret is read off the page, as an administrator copies it.
    await page.getByRole('link', { name: 'Create application' }).click();
    await page.getByRole('button', { name: /Web application with a back end/ }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Team Wiki');
    await page.getByLabel('Redirect URIs', { exact: true }).fill(`${app.origin}/callback`);
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.getByRole('heading', { level: 1, name: 'Team Wiki' }).waitFor();
    const clientId = (await page.getByTestId('copy-Client ID').textContent())!;
    const secret = (await page.locator('.app-secret-once').getByTestId('copy-Client secret').textContent())!;

    // The user, known to Gatehouse before the connection lets them in.
    await openScreen(page, 'Users');
    await page.getByRole('link', { name: 'Create user' }).first().click();
    await page.getByLabel('User name', { exact: true }).fill('ann');
    await page.getByLabel('Email', { exact: true }).fill(ann.email);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { level: 1, name: /ann/ }).waitFor();

    // The connection, known users only, with the callback URL the console shows pasted into the provider.
    await openScreen(page, 'Connections');
    await page.getByRole('link', { name: 'Add an OpenID Connect provider' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Corp account');
    const callbackUrl = (await page.getByTestId('copy-Callback URL (redirect URI)').first().textContent())!;
    upstream.addClient({ clientId: 'gatehouse', clientSecret: 'upstream-secret-0123456789abcdef', redirectUris: [callbackUrl] });
    await page.getByLabel('Discovery URL', { exact: true }).fill(upstream.discoveryUrl);
    await page.getByLabel('Client ID').fill('gatehouse');
    await page.getByLabel('Client secret').fill('upstream-secret-0123456789abcdef');
    await page.getByLabel('Known users only').check();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByRole('heading', { level: 1, name: 'Corp account' }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Every check passed/).waitFor();
    assert.deepEqual(problems, []);

    // Ann, in a browser of her own, signs in to the application through her company's provider.
    const config = await oidc.discovery(new URL(harness.server.issuer), clientId, secret, undefined, insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${app.origin}/callback`, scope: 'openid profile', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const visitor = await openConsole(harness.chromium);
    const received = app.next();
    await visitor.page.goto(authorizationUrl.href);
    await visitor.page.getByRole('button', { name: 'Corp account' }).click();
    await visitor.page.waitForURL((url) => url.origin === upstream.origin);
    await visitor.page.getByLabel('Username').fill('ann');
    await visitor.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await visitor.page.getByRole('button', { name: 'Allow' }).click();
    const { url } = await received;
    const tokens = await oidc.authorizationCodeGrant(config, new URL(`${app.origin}${url.pathname}${url.search}`), { pkceCodeVerifier: verifier, expectedState: state });
    const created = await harness.server.services.users.findByUsername('ann');
    assert.ok(created, 'the user the console created');
    assert.equal(tokens.claims()?.sub, created.id, 'the application signed in the user the administrator added');
    // The stand-in provider's own pages (no favicon) are not Gatehouse's.
    assert.deepEqual(visitor.problems.filter((problem) => !problem.includes(upstream.origin)), []);
    await visitor.context.close();
  });
});
