/*
 * Passkeys in a real browser: Chromium with the DevTools Protocol's virtual authenticator
 * (WebAuthn domain), against the real server at http://localhost (a secure context whose host
 * is a valid RP ID). A passkey registered inside a sign-in then signs in alone, and the
 * id_token's amr says what was proved (hwk, user, mfa); a failed user verification, a bogus
 * signature, a counter that goes backwards and a replayed answer are refused; the login page
 * loads no inline script and signs in with a password without JavaScript.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'node-html-parser';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { passkeyScriptPath } from '../../../src/mfa/passkey-script.js';
import { startCallbackServer } from '../../helpers/callback-server.js';
import { launchChromium, skipWithoutChromium } from '../../helpers/chromium.js';
import { redeem, startAuthorization, type PendingAuthorization } from '../../helpers/code-flow.js';
import { freePort } from '../../helpers/free-port.js';
import { insecure } from '../../helpers/oauth.js';
import { alice, bob } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { addCredential, seedPasskey, startLocalhostProxy, virtualAuthenticator, type SeededPasskey } from './passkey-steps.js';

const passkeyButton = { name: 'Sign in with a passkey' } as const;

describe('passkeys in Chromium', { skip: skipWithoutChromium }, () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startLocalhostProxy>>;
  let app: Awaited<ReturnType<typeof startCallbackServer>>;
  let chromium: Browser;
  const configs: Record<string, oidc.Configuration> = {};
  let redirectUri: string;
  let aliceId: string;

  before(async () => {
    app = await startCallbackServer();
    redirectUri = `${app.origin}/callback`;
    let serverPort = 0;
    proxy = await startLocalhostProxy(await freePort(), () => serverPort);
    server = await startServer({
      publicUrl: proxy.origin,
      declarations: {
        applications: [
          { client_id: 'notes', client_name: 'Network Notes', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] },
          // Passkeys only: a password sign-in without one is sent to set one up.
          { client_id: 'vault', client_name: 'Vault', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], mfa: 'phishing_resistant' },
        ],
        users: [{ ...alice, name: 'Alice' }, { ...bob, name: 'Bob' }],
      },
    });
    serverPort = Number(new URL(server.url).port);
    for (const client of ['notes', 'vault']) configs[client] = await oidc.discovery(new URL(server.issuer), client, undefined, oidc.None(), insecure);
    aliceId = (await server.services.users.findByIdentifier(alice.username))!.id;
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
    await proxy?.close();
    await app?.close();
  });

  /**
   * A fresh browser profile on the login page of a new authorization request; CSP reports are
   * collected. `tab`: the same tab again instead (a virtual authenticator belongs to its tab).
   */
  async function onLoginPage(options: { javaScriptEnabled?: boolean } = {}, client = 'notes', tab?: { context: BrowserContext; page: Page; violations: string[] }) {
    const context = tab?.context ?? (await chromium.newContext(options));
    const page = tab?.page ?? (await context.newPage());
    const violations: string[] = tab?.violations ?? [];
    if (!tab) {
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
      });
    }
    // prompt=login: a profile that signed in before is asked again (and the login page shown).
    const pending = await startAuthorization(configs[client]!, 'openid', { redirect_uri: redirectUri, prompt: 'login' });
    const response = await page.goto(pending.url.toString());
    return { context, page, pending, violations, html: (await response!.text()) };
  }

  /** Allows the application when asked, and redeems the code the callback brings: the id_token's claims. */
  async function finish(page: Page, pending: PendingAuthorization, client = 'notes') {
    const arrived = app.next();
    await page.getByRole('button', { name: 'Allow' }).click();
    const callback = await arrived;
    const tokens = await redeem(configs[client]!, pending, new URL(callback.url.pathname + callback.url.search, redirectUri));
    return tokens.claims()!;
  }

  /** A seeded passkey of Alice's in a new profile's authenticator, on the login page. */
  async function withAlicePasskey(signCount = 0) {
    const visit = await onLoginPage();
    const { cdp, authenticatorId } = await virtualAuthenticator(visit.context, visit.page);
    const passkey = await seedPasskey(server.services.deps.db, aliceId, { now: Date.now() });
    await addCredential(cdp, authenticatorId, passkey, signCount);
    return { ...visit, cdp, authenticatorId, passkey };
  }

  const storedPasskey = (passkey: SeededPasskey) =>
    server.services.deps.db.selectFrom('passkeys').selectAll().where('id', '=', passkey.id).executeTakeFirstOrThrow();

  const alertText = (page: Page, text: RegExp) => page.getByRole('alert').filter({ hasText: text }).waitFor();

  test('the login page has no inline script: one same-origin script file, under the pages\' CSP', async () => {
    const { context, page, html, violations } = await onLoginPage();
    const document = parse(html);
    const scripts = document.querySelectorAll('script');
    assert.equal(scripts.length, 1, 'the passkey script, once');
    for (const script of scripts) {
      const src = script.getAttribute('src');
      assert.ok(src, `a script without src: ${script.toString()}`);
      assert.equal(new URL(src, page.url()).origin, proxy.origin, 'served by Gatehouse itself');
      assert.equal(script.textContent.trim(), '', 'and nothing inline beside it');
    }
    assert.ok(!/\son[a-z]+\s*=/i.test(html), 'no inline event handler attributes');
    const csp = (await context.request.get(page.url())).headers()['content-security-policy'];
    assert.match(csp!, /script-src 'self';/);
    assert.match(csp!, /connect-src 'self';/, 'the script fetches its options from Gatehouse only');
    assert.ok(!/unsafe-inline|nonce-/.test(csp!), csp);

    const src = new URL(scripts[0]!.getAttribute('src')!, page.url());
    assert.equal(src.pathname, passkeyScriptPath);
    const asset = await context.request.get(src.toString());
    assert.equal(asset.status(), 200);
    assert.match(asset.headers()['content-type']!, /^text\/javascript/);
    assert.match(asset.headers()['cache-control']!, /immutable/, 'versioned, so kept for good');

    // With JavaScript and WebAuthn, the script shows the passkey button.
    await page.getByRole('button', passkeyButton).waitFor();
    assert.deepEqual(violations, []);
    await context.close();
  });

  test('without JavaScript the passkey button stays hidden and the password form signs in', async () => {
    const { context, page, pending } = await onLoginPage({ javaScriptEnabled: false });
    assert.equal(await page.getByRole('button', passkeyButton).count(), 0, 'hidden: not offered where it cannot work');
    assert.equal(await page.getByText('Or sign in with').count(), 0, 'no heading over nothing: no connection, and the passkey is not one');
    await page.getByLabel('Username or email').fill(alice.username);
    await page.getByLabel('Password').fill(alice.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const claims = await finish(page, pending);
    assert.deepEqual(claims.amr, ['pwd']);
    await context.close();
  });

  test('registered inside a sign-in that demands a passkey, then signing in with it alone', async () => {
    const first = await onLoginPage({}, 'vault');
    const { context, page, pending, violations } = first;
    const { cdp, authenticatorId } = await virtualAuthenticator(context, page);
    await page.getByLabel('Username or email').fill(bob.username);
    await page.getByLabel('Password').fill(bob.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    // Vault takes passkeys only and Bob has none: he is asked to add one, named as he likes.
    const register = page.locator('form[data-passkey="register"]');
    await register.getByRole('button').waitFor();
    await register.getByLabel(/Name for this passkey/).fill('Bob\'s laptop');
    await register.getByRole('button').click();
    await page.locator('ul.codes').waitFor();
    assert.equal(await page.locator('ul.codes li').count(), 10, 'the first factor comes with recovery codes');
    await page.locator('form[action$="/continue"] button').click();
    // Setting it up signed nothing (attestation none): the sign-in asks for the new passkey once, and that use counts.
    const use = page.locator('form[data-passkey="authenticate"]');
    await use.getByRole('button').waitFor();
    assert.equal(await page.locator('form[action$="/mfa/totp"]').count(), 0, 'a passkey only');
    await use.getByRole('button').click();
    const claims = await finish(page, pending, 'vault');
    const bobId = (await server.services.users.findByIdentifier(bob.username))!.id;
    assert.equal(claims.sub, bobId);
    assert.deepEqual([...(claims.amr as string[])].sort(), ['hwk', 'mfa', 'pwd'], 'a password and a hardware-bound key');

    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.deepEqual([credentials[0]!.rpId, credentials[0]!.isResidentCredential], ['localhost', true], 'a discoverable credential for this site');
    const stored = await server.services.deps.db.selectFrom('passkeys').selectAll().where('user_id', '=', bobId).execute();
    assert.deepEqual(stored.map((row) => [row.id, row.name]), [[Buffer.from(credentials[0]!.credentialId, 'base64').toString('base64url'), 'Bob\'s laptop']]);

    // The same profile, a new sign-in: the passkey alone, no password.
    const again = await onLoginPage({}, 'notes', first);
    await again.page.getByRole('button', passkeyButton).click();
    const passwordless = await finish(again.page, again.pending);
    assert.equal(passwordless.sub, bobId);
    assert.deepEqual(passwordless.amr, ['hwk', 'user', 'mfa']);

    // And it is enough for Vault, which asks for nothing more.
    const vault = await onLoginPage({}, 'vault', first);
    const arrived = app.next();
    await vault.page.getByRole('button', passkeyButton).click();
    const callback = await arrived;
    const tokens = await redeem(configs.vault!, vault.pending, new URL(callback.url.pathname + callback.url.search, redirectUri));
    assert.deepEqual(tokens.claims()!.amr, ['hwk', 'user', 'mfa']);
    assert.deepEqual(violations, []);
    await context.close();
  });

  test('passwordless: the passkey signs Alice in, and the id_token says hwk, user and mfa', async () => {
    const { context, page, pending, passkey, cdp, authenticatorId, violations } = await withAlicePasskey();
    await page.getByRole('button', passkeyButton).click();
    const claims = await finish(page, pending);
    assert.equal(claims.sub, aliceId);
    assert.deepEqual(claims.amr, ['hwk', 'user', 'mfa'], 'RFC 8176: a hardware-bound key, verified user, two factors');

    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const stored = await storedPasskey(passkey);
    assert.equal(stored.counter, credentials[0]!.signCount, 'the counter the authenticator signed is stored');
    assert.ok(stored.counter > 0);
    assert.ok(stored.last_used_at !== null);
    const uid = new URL(page.url()).pathname.split('/')[2];
    const left = await server.services.deps.db.selectFrom('webauthn_challenges').select('challenge').where('bound_to', '=', uid!).execute();
    assert.deepEqual(left, [], 'the challenge is used up');
    assert.deepEqual(violations, []);
    await context.close();
  });

  test('a failed user verification is refused, by the browser and by the server, and nobody is signed in', async () => {
    const { context, page, cdp, authenticatorId, passkey } = await withAlicePasskey();
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    const verifications: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/passkey/verify')) verifications.push(request.url());
    });
    // Asked for a verified user, the browser itself refuses: the script says so in the form and submits nothing.
    await page.getByRole('button', passkeyButton).click();
    const said = page.getByRole('alert').filter({ hasText: /cancelled or timed out/ });
    await said.waitFor();
    assert.deepEqual(verifications, []);

    // A page that asks for less (a tampered script) gets an answer without the UV flag, which the server refuses.
    await page.route('**/passkey/options', async (route) => {
      const answer = await route.fetch();
      const options = (await answer.json()) as Record<string, unknown>;
      await route.fulfill({ response: answer, json: { ...options, userVerification: 'discouraged' } });
    });
    const refused = page.waitForResponse((r) => r.url().endsWith('/passkey/verify'));
    await page.getByRole('button', passkeyButton).click();
    assert.equal((await refused).status(), 401);
    await alertText(page, /did not confirm it was you/);
    assert.ok(await page.getByLabel('Password').isVisible(), 'still on the login page');
    assert.equal((await storedPasskey(passkey)).last_used_at, null);
    await context.close();
  });

  test('a bogus signature is refused', async () => {
    const { context, page, cdp, authenticatorId, passkey } = await withAlicePasskey();
    await cdp.send('WebAuthn.setResponseOverrideBits', { authenticatorId, isBogusSignature: true });
    const response = page.waitForResponse((r) => r.url().endsWith('/passkey/verify'));
    await page.getByRole('button', passkeyButton).click();
    assert.equal((await response).status(), 401);
    await alertText(page, /could not be verified/);
    assert.equal((await storedPasskey(passkey)).last_used_at, null, 'the use is not recorded');
    await context.close();
  });

  test('a signature counter that goes backwards (a cloned authenticator) is refused', async () => {
    const { context, page, passkey, pending } = await withAlicePasskey(10);
    await page.getByRole('button', passkeyButton).click();
    await finish(page, pending);
    assert.equal((await storedPasskey(passkey)).counter, 11);

    const clone = await onLoginPage();
    const cloned = await virtualAuthenticator(clone.context, clone.page);
    await addCredential(cloned.cdp, cloned.authenticatorId, passkey, 3);
    const response = clone.page.waitForResponse((r) => r.url().endsWith('/passkey/verify'));
    await clone.page.getByRole('button', passkeyButton).click();
    assert.equal((await response).status(), 401);
    assert.equal((await storedPasskey(passkey)).counter, 11, 'the stored counter stays');
    await Promise.all([context.close(), clone.context.close()]);
  });

  test('an answer is tried once: after a tampered copy used its challenge, the genuine answer is refused too', async () => {
    const { context, page, passkey } = await withAlicePasskey();
    const statuses: number[] = [];
    await page.route('**/passkey/verify', async (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      const answer = JSON.parse(form.get('response')!) as { response: { signature: string } };
      const signature = answer.response.signature;
      const tampered = new URLSearchParams(form);
      tampered.set('response', JSON.stringify({ ...answer, response: { ...answer.response, signature: (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1) } }));
      statuses.push((await route.fetch({ postData: tampered.toString(), maxRedirects: 0 })).status());
      const genuine = await route.fetch({ maxRedirects: 0 });
      statuses.push(genuine.status());
      await route.fulfill({ response: genuine });
    });
    await page.getByRole('button', passkeyButton).click();
    await alertText(page, /expired or was already used/);
    assert.deepEqual(statuses, [401, 401]);
    assert.equal((await storedPasskey(passkey)).last_used_at, null);
    await context.close();
  });
});
