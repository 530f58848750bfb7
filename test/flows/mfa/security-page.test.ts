/*
 * The security page, /account/security, through the cookie-jar browser: signed in through
 * Gatehouse itself, a person adds an authenticator app by signing in again and setting it up,
 * makes new recovery codes, removes the app; removing needs a sign-in of the last five minutes,
 * and the last factor cannot go while sign-ins require one. Time is pinned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { codeAt } from '../../../src/mfa/totp.js';
import { expectPage, type Browser, type Page } from '../../helpers/browser.js';
import { newBrowser } from '../../helpers/oauth.js';
import { dave } from '../../helpers/people.js';
import { softAuthenticator } from '../../helpers/soft-authenticator.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';

const loginForm = 'form[action$="/password/login"]';
const cli = { kind: 'cli', command: 'test' } as const;

describe('the security page (sqlite)', () => {
  let server: TestServer;
  let time: PinnedTime;
  let browser: Browser;
  let secret = '';

  before(async () => {
    time = pinTime(Date.UTC(2026, 11, 8, 10, 0, 5));
    server = await startServer({ declarations: { users: [dave] }, clock: time });
    browser = newBrowser(server);
  });
  after(async () => {
    await server?.close();
    time?.release();
  });

  const page = (path: string) => browser.get(`${server.url}${path}`).then(expectPage);
  const signInOn = (login: Page) => browser.submit(login, loginForm, { username: dave.username, password: dave.password }).then(expectPage);

  test('a visitor is asked to sign in, and comes back to the page', async () => {
    const login = await page('/account/security');
    assert.ok(login.document.querySelector(loginForm));
    const security = await signInOn(login);
    assert.match(security.url, /\/account\/security$/);
    assert.match(security.document.querySelector('h1')?.text ?? '', /Sign-in security/);
    assert.ok(security.document.querySelector('a[href="/account/security/add/totp"]'));
    assert.equal(security.headers.get('cache-control'), 'no-store');
    assert.equal(security.document.querySelectorAll('script:not([src])').length, 0);
  });

  test('adding an authenticator app is a fresh sign-in that ends by setting it up, with recovery codes shown once', async () => {
    const login = await page('/account/security/add/totp');
    assert.ok(login.document.querySelector(loginForm), 'the password again');
    const setUp = await signInOn(login);
    secret = setUp.document.querySelector('code.secret')?.text.replace(/\s/g, '') ?? '';
    const codes = expectPage(await browser.submit(setUp, 'form[action$="/enrol/totp"]', { code: await codeAt(secret, Date.now() / 1000) }));
    assert.equal(codes.document.querySelectorAll('ul.codes code').length, 10);
    const back = expectPage(await browser.submit(codes, 'form[action$="/continue"]'));
    assert.match(back.url, /\/account\/security$/);
    assert.match(back.document.querySelector('#app-heading + p')?.text ?? '', /On since/);
    assert.match(back.body, /10 unused recovery codes left/);
  });

  test('new recovery codes void the old ones; removing the app takes the codes with it', async () => {
    const security = await page('/account/security');
    const codes = expectPage(await browser.submit(security, 'form[action="/account/security/recovery-codes"]'));
    assert.equal(codes.document.querySelectorAll('ul.codes code').length, 10);
    const removed = expectPage(await browser.submit(await page('/account/security'), 'form[action="/account/security/factors/totp/remove"]'));
    assert.match(removed.document.querySelector('[role=status]')?.text ?? '', /removed/);
    const userId = (await server.services.users.findByIdentifier(dave.username))!.id;
    assert.deepEqual(await server.services.mfa.factors.enrolled(userId), { totp: false, passkeys: 0, recoveryCodes: 0 });
  });

  test('a change needs a sign-in of the last five minutes; the last factor stays while sign-ins require one', async () => {
    time.advance(31);
    let security = await page('/account/security/add/totp');
    const setUp = await signInOn(security);
    secret = setUp.document.querySelector('code.secret')?.text.replace(/\s/g, '') ?? '';
    const codes = expectPage(await browser.submit(setUp, 'form[action$="/enrol/totp"]', { code: await codeAt(secret, Date.now() / 1000) }));
    await browser.submit(codes, 'form[action$="/continue"]');

    time.advance(301);
    security = await page('/account/security');
    const again = expectPage(await browser.submit(security, 'form[action="/account/security/factors/totp/remove"]'));
    assert.ok(again.document.querySelector(loginForm), 'signed in six minutes ago: sign in again first');
    const second = expectPage(await browser.submit(await signInOn(again), 'form[action$="/mfa/totp"]', { code: await codeAt(secret, Date.now() / 1000) }));
    assert.match(second.document.querySelector('[role=status]')?.text ?? '', /signed in again/);

    await server.services.mfa.settings.update(cli, { policy: 'required' });
    try {
      const refused = expectPage(await browser.submit(second, 'form[action="/account/security/factors/totp/remove"]'));
      assert.match(refused.document.querySelector('[role=alert]')?.text ?? '', /last second factor/);
    } finally {
      await server.services.mfa.settings.update(cli, { policy: 'optional' });
    }
  });

  test('a passkey is added through a fresh sign-in with the factor already set up, then renamed and removed by its owner', async () => {
    time.advance(31);
    const login = await page('/account/security/add/passkey');
    const challenge = await signInOn(login);
    const enrol = expectPage(await browser.submit(challenge, 'form[action$="/mfa/totp"]', { code: await codeAt(secret, Date.now() / 1000) }));
    const form = enrol.document.querySelector('form[data-passkey="register"]');
    assert.ok(form, 'the passkey set-up, after the app\'s code');
    const csrf = form.querySelector('input[name=csrf]')?.getAttribute('value') ?? '';
    const options = JSON.parse(expectPage(await browser.post(new URL(form.getAttribute('data-options')!, server.url).toString(), { csrf })).body) as { challenge: string; user: { id: string } };
    const authenticator = softAuthenticator({ rpId: new URL(server.url).hostname, origin: server.url });
    const answer = JSON.stringify(authenticator.register(options));
    const back = expectPage(await browser.post(new URL(form.getAttribute('action')!, server.url).toString(), { csrf, response: answer, name: 'Work laptop' }));
    assert.match(back.url, /\/account\/security$/, 'recovery codes exist already: straight back');
    assert.match(back.document.querySelector('ul.factors')?.text ?? '', /Work laptop/);

    const id = encodeURIComponent(authenticator.credentialId);
    const renamed = expectPage(await browser.submit(back, `form[action="/account/security/passkeys/${id}/rename"]`, { name: 'Old laptop' }));
    assert.match(renamed.document.querySelector('ul.factors')?.text ?? '', /Old laptop/);
    const removed = expectPage(await browser.submit(renamed, `form[action="/account/security/factors/${id}/remove"]`));
    assert.equal(removed.document.querySelector('ul.factors'), null);
  });

  test('whoever has a second factor gives it to sign in here, even when the policy asks none', async () => {
    await server.services.mfa.settings.update(cli, { policy: 'off' });
    try {
      const stranger = newBrowser(server);
      const login = expectPage(await stranger.get(`${server.url}/account/security`));
      const asked = expectPage(await stranger.submit(login, loginForm, { username: dave.username, password: dave.password }));
      assert.ok(asked.document.querySelector('form[action$="/mfa/totp"]'), 'the password alone does not open the page');
      assert.equal(asked.document.querySelector('h1')?.text, 'Verify it is you');
    } finally {
      await server.services.mfa.settings.update(cli, { policy: 'optional' });
    }
  });

  test('a signed-in browser\'s form without its CSRF token changes nothing', async () => {
    const refused = expectPage(await browser.post(`${server.url}/account/security/factors/totp/remove`, { csrf: 'forged' }));
    assert.equal(refused.status, 403);
    const userId = (await server.services.users.findByIdentifier(dave.username))!.id;
    assert.equal((await server.services.mfa.factors.enrolled(userId)).totp, true);
  });
});
