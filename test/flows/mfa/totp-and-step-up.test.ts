/*
 * Second factors through the sign-in pages, driven by the cookie-jar browser and openid-client:
 * an application that requires MFA sends a user without a factor to set one up before any code
 * is issued, then asks for it; codes are single use; recovery codes stand in once each;
 * `acr_values`, `max_age` and `prompt=none` behave as OpenID Connect and its EAP profile say;
 * the password grant is refused where a second factor is required; five wrong codes end the
 * sign-in. Time is pinned, so that a code is known to the step.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { acrOf } from '../../../src/mfa/assurance.js';
import { codeAt } from '../../../src/mfa/totp.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, expectRedirect, isPage, type Browser, type Page } from '../../helpers/browser.js';
import { startAuthorization, redeem, type PendingAuthorization } from '../../helpers/code-flow.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice, bob, carol, dave, type Credentials } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { postToken } from '../../helpers/token-endpoint.js';

const publicApp = (clientId: string, extra: Record<string, unknown> = {}) => ({
  client_id: clientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], ...extra,
});

const declarations = {
  applications: [
    publicApp('notes'),
    publicApp('payroll', { mfa: 'required' }),
    publicApp('vault', { mfa: 'phishing_resistant' }),
    publicApp('diary', { grant_types: ['authorization_code', 'refresh_token'] }),
    { client_id: 'legacy', client_secret: secretOf('legacy'), token_endpoint_auth_method: 'client_secret_post', grant_types: ['password'] },
  ],
  users: [...[alice, bob, carol].map((person) => ({ ...person })), { ...dave, groups: ['gatehouse-admins'] }],
};

const loginForm = 'form[action$="/password/login"]';
const cli = { kind: 'cli', command: 'test' } as const;

describe('second factors at sign-in (sqlite)', () => {
  let server: TestServer;
  let time: PinnedTime;
  const rp: Record<string, oidc.Configuration> = {};
  /** Alice's authenticator app secret, read off the set-up page as a person would type it. */
  let aliceSecret: string;
  let aliceRecoveryCodes: string[];

  before(async () => {
    time = pinTime(Date.UTC(2026, 11, 8, 9, 0, 10));
    server = await startServer({ declarations, clock: time });
    for (const clientId of ['notes', 'payroll', 'vault', 'diary']) rp[clientId] = await oidc.discovery(new URL(server.issuer), clientId, undefined, oidc.None(), insecure);
  });
  after(async () => {
    await server?.close();
    time?.release();
  });

  const codeNow = (secret: string) => codeAt(secret, Math.floor(Date.now() / 1000));

  /** From an authorization request to the page after the password. */
  async function afterPassword(browser: Browser, clientId: string, who: Credentials, params: Record<string, string> = {}) {
    const pending = await startAuthorization(rp[clientId]!, 'openid', params);
    const login = expectPage(await browser.get(pending.url.toString()));
    return { pending, result: await browser.submit(login, loginForm, { username: who.username, password: who.password }) };
  }

  /** On to the application: approves the consent page the first time a user meets an application. */
  async function tokens(browser: Browser, clientId: string, pending: PendingAuthorization, result: Page | { redirectedTo: string; status: number }) {
    const answered = isPage(result) && result.document.querySelector('form[action$="/consent"]') ? await browser.submit(result, 'form[action$="/consent"]') : result;
    const response = await redeem(rp[clientId]!, pending, new URL(expectRedirect(answered)));
    return response.claims()!;
  }

  test('discovery lists the acr ladder', async () => {
    const metadata = rp.notes!.serverMetadata();
    assert.deepEqual(metadata.acr_values_supported, ['pwd', 'mfa', 'phr'].map((level) => `urn:gatehouse:acr:${level}`));
  });

  test('without a factor or a requirement, a password is the whole sign-in, and acr says so', async () => {
    const browser = newBrowser(server);
    const { pending, result } = await afterPassword(browser, 'notes', alice);
    const claims = await tokens(browser, 'notes', pending, result);
    assert.equal(claims.acr, acrOf('pwd'));
    assert.deepEqual(claims.amr, ['pwd']);
  });

  test('an application that requires MFA sends a user without a factor to set one up, and issues no code before', async () => {
    const browser = newBrowser(server);
    const { pending, result } = await afterPassword(browser, 'payroll', alice);
    const setUp = expectPage(result);
    assert.match(setUp.url, /\/mfa$/);
    const secret = setUp.document.querySelector('code.secret')?.text.replace(/\s/g, '') ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/, 'a 20-byte base32 secret is shown');
    assert.ok(setUp.document.querySelector('figure.qr svg'), 'with a QR code drawn here');

    const wrong = expectPage(await browser.submit(setUp, 'form[action$="/enrol/totp"]', { code: '000000' === (await codeNow(secret)) ? '111111' : '000000' }));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.document.querySelector('code.secret')?.text.replace(/\s/g, ''), secret, 'the same secret is shown again');

    const codes = expectPage(await browser.submit(wrong, 'form[action$="/enrol/totp"]', { code: await codeNow(secret) }));
    aliceRecoveryCodes = codes.document.querySelectorAll('ul.codes code').map((code) => code.text);
    assert.equal(aliceRecoveryCodes.length, 10);
    for (const code of aliceRecoveryCodes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

    const claims = await tokens(browser, 'payroll', pending, await browser.submit(codes, 'form[action$="/continue"]'));
    assert.equal(claims.acr, acrOf('mfa'));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    aliceSecret = secret;
  });

  test('once set up, the factor is asked at every sign-in (policy optional), and a code is accepted once', async () => {
    time.advance(30);
    const first = newBrowser(server);
    const one = await afterPassword(first, 'notes', alice);
    const asked = expectPage(one.result);
    assert.ok(asked.document.querySelector('form[action$="/mfa/totp"]'), 'the code is asked for');
    assert.ok(!asked.document.querySelector(loginForm));
    const code = await codeNow(aliceSecret);
    const claims = await tokens(first, 'notes', one.pending, await first.submit(asked, 'form[action$="/mfa/totp"]', { code }));
    assert.equal(claims.acr, acrOf('mfa'));

    const second = newBrowser(server);
    const two = await afterPassword(second, 'notes', alice);
    const replay = expectPage(await second.submit(expectPage(two.result), 'form[action$="/mfa/totp"]', { code }));
    assert.equal(replay.status, 401, 'the same code in the same step is refused');
    time.advance(30);
    await tokens(second, 'notes', two.pending, await second.submit(replay, 'form[action$="/mfa/totp"]', { code: await codeNow(aliceSecret) }));
  });

  test('a recovery code stands in for the factor once, and its use is audited', async () => {
    const [code] = aliceRecoveryCodes;
    const browser = newBrowser(server);
    const { pending, result } = await afterPassword(browser, 'notes', alice);
    const page = expectPage(result);
    assert.match(page.document.querySelector('form[action$="/recovery-code"] .muted')?.text ?? '', /10 left/);
    const claims = await tokens(browser, 'notes', pending, await browser.submit(page, 'form[action$="/recovery-code"]', { code: code!.toLowerCase().replace(/-/g, ' ') }));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);

    const again = newBrowser(server);
    const reused = await afterPassword(again, 'notes', alice);
    const refused = expectPage(await again.submit(expectPage(reused.result), 'form[action$="/recovery-code"]', { code: code! }));
    assert.equal(refused.status, 401);
    assert.match(refused.document.querySelector('.error')?.text ?? '', /recovery code is not valid/);
    const userId = (await server.services.users.findByIdentifier('alice'))!.id;
    const factors = await server.services.mfa.factors.list(userId);
    assert.equal(factors.find((factor) => factor.id === 'recovery-codes')?.remaining, 9);
    await server.audit.flush();
    const { db } = server.services.deps;
    const used = await db.selectFrom('audit_events').select(['user_id', 'details']).where('type', '=', 'mfa.recovery_code_used').execute();
    assert.deepEqual(used.map((event) => [event.user_id, JSON.parse(event.details)]), [[userId, { remaining: 9 }]], 'recorded once, without the code');
  });

  test('a password session asked for mfa (acr_values) proves the second factor only, and gets a new auth_time', async () => {
    await server.services.mfa.settings.update(cli, { policy: 'off' });
    try {
      const browser = newBrowser(server);
      const first = await afterPassword(browser, 'notes', alice);
      const before = await tokens(browser, 'notes', first.pending, first.result);
      assert.equal(before.acr, acrOf('pwd'), 'policy off: the password alone');

      const none = await startAuthorization(rp.notes!, 'openid', { acr_values: acrOf('mfa'), prompt: 'none' });
      const refused = new URL(expectRedirect(await browser.get(none.url.toString())));
      assert.equal(refused.searchParams.get('error'), 'unmet_authentication_requirements', 'prompt=none cannot step up');

      time.advance(60);
      const stepUp = await startAuthorization(rp.notes!, 'openid', { acr_values: `urn:example:unknown ${acrOf('mfa')}` });
      const asked = expectPage(await browser.get(stepUp.url.toString()));
      assert.ok(asked.document.querySelector('form[action$="/mfa/totp"]'), 'the second factor is asked');
      assert.ok(!asked.document.querySelector(loginForm), 'not the password');
      const after = await tokens(browser, 'notes', stepUp, await browser.submit(asked, 'form[action$="/mfa/totp"]', { code: await codeNow(aliceSecret) }));
      assert.equal(after.acr, acrOf('mfa'));
      assert.deepEqual(after.amr, ['pwd', 'otp', 'mfa']);
      assert.ok(Number(after.auth_time) >= Number(before.auth_time) + 60, 'a new auth_time');

      const quiet = await startAuthorization(rp.notes!, 'openid', { acr_values: acrOf('mfa'), prompt: 'none' });
      assert.equal(new URL(expectRedirect(await browser.get(quiet.url.toString()))).searchParams.get('code') !== null, true, 'now met without a prompt');
    } finally {
      await server.services.mfa.settings.update(cli, { policy: 'optional' });
    }
  });

  test('an application that requires a passkey asks one who has only an app to prove it, then to add a passkey', async () => {
    time.advance(30);
    const browser = newBrowser(server);
    const { result } = await afterPassword(browser, 'vault', alice);
    const challenge = expectPage(result);
    assert.match(challenge.document.querySelector('h1 + p')?.text ?? '', /needs a passkey/);
    const enrol = expectPage(await browser.submit(challenge, 'form[action$="/mfa/totp"]', { code: await codeNow(aliceSecret) }));
    assert.ok(enrol.document.querySelector('form[data-passkey="register"]'), 'a passkey is set up next');
    assert.ok(!enrol.document.querySelector('form[action$="/enrol/totp"]'), 'an app would not be enough');
    assert.ok(!enrol.document.querySelector('form[action$="/continue"]'), 'and nothing lets the sign-in end without it');
  });

  test('administrators need a second factor when the setting says so, whatever the application', async () => {
    await server.services.mfa.settings.update(cli, { require_for_administrators: true });
    try {
      const browser = newBrowser(server);
      const { result } = await afterPassword(browser, 'notes', dave);
      assert.ok(expectPage(result).document.querySelector('form[action$="/enrol/totp"]'), 'an administrator without a factor sets one up');
    } finally {
      await server.services.mfa.settings.update(cli, { require_for_administrators: null });
    }
  });

  test('max_age older than the sign-in asks for the whole sign-in again', async () => {
    const browser = newBrowser(server);
    const first = await afterPassword(browser, 'notes', bob);
    const before = await tokens(browser, 'notes', first.pending, first.result);
    time.advance(120);
    const again = await startAuthorization(rp.notes!, 'openid', { max_age: '60' });
    const login = expectPage(await browser.get(again.url.toString()));
    assert.ok(login.document.querySelector(loginForm), 'the login page, not a silent answer');
    const after = await tokens(browser, 'notes', again, await browser.submit(login, loginForm, { username: bob.username, password: bob.password }));
    assert.ok(Number(after.auth_time) >= Number(before.auth_time) + 120);
  });

  test('acr_values none of which Gatehouse knows are answered unmet_authentication_requirements', async () => {
    const browser = newBrowser(server);
    const request = await startAuthorization(rp.notes!, 'openid', { acr_values: 'urn:example:loa:4' });
    const answer = new URL(expectRedirect(await browser.get(request.url.toString())));
    assert.equal(answer.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('the password grant is refused with a clear description where a second factor is needed', async () => {
    const grant = (who: Credentials) => postToken(server, { grant_type: 'password', client_id: 'legacy', client_secret: secretOf('legacy'), username: who.username, password: who.password, scope: 'openid' });
    const withFactor = await grant(alice);
    assert.equal(withFactor.status, 400);
    assert.equal(withFactor.body.error, 'invalid_grant');
    assert.match(String(withFactor.body.error_description), /second factor is required/);
    assert.equal((await grant(carol)).status, 200, 'a user without a factor under policy optional');
    await server.services.mfa.settings.update(cli, { policy: 'required' });
    try {
      assert.equal((await grant(carol)).status, 400, 'policy required');
    } finally {
      await server.services.mfa.settings.update(cli, { policy: 'optional' });
    }
  });

  test('a refresh token from a sign-in weaker than the requirement now is refused, with what to do', async () => {
    const browser = newBrowser(server);
    const { pending, result } = await afterPassword(browser, 'diary', carol, { prompt: 'consent', scope: 'openid offline_access' });
    const page = expectPage(result);
    const callback = new URL(expectRedirect(await browser.submit(page, 'form[action$="/consent"]')));
    const first = await redeem(rp.diary!, pending, callback);
    assert.ok(first.refresh_token, 'offline_access was granted');
    const renewed = await oidc.refreshTokenGrant(rp.diary!, first.refresh_token);
    await server.services.mfa.settings.update(cli, { policy: 'required' });
    try {
      const refused = await oidc.refreshTokenGrant(rp.diary!, renewed.refresh_token!).then(() => undefined, (error: unknown) => error as { error?: string; error_description?: string });
      assert.equal(refused?.error, 'invalid_grant');
      assert.match(refused?.error_description ?? '', /sign the user in again/);
    } finally {
      await server.services.mfa.settings.update(cli, { policy: 'optional' });
    }
  });

  test('five wrong codes end the sign-in: the application gets access_denied', async () => {
    const browser = newBrowser(server);
    const { result } = await afterPassword(browser, 'notes', alice);
    let page: Page | { redirectedTo: string; status: number } = result;
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      page = await browser.submit(expectPage(page), 'form[action$="/mfa/totp"]', { code: '12345' + String(attempt) });
      assert.equal(expectPage(page).status, 401);
    }
    const ended = new URL(expectRedirect(await browser.submit(expectPage(page), 'form[action$="/mfa/totp"]', { code: '123459' })));
    assert.equal(ended.searchParams.get('error'), 'access_denied');
    assert.match(ended.searchParams.get('error_description') ?? '', /too many wrong second factors/);
  });
});
