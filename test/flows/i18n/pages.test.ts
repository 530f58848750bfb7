/*
 * The sign-in pages in the person's language, through the cookie-jar browser against one real
 * server (SQLite): chosen by the application's ui_locales, by the browser's Accept-Language, by
 * the switcher (a plain link that sets a cookie), by the user's locale claim on the second step;
 * said in <html lang> and Content-Language; advertised in discovery; the engine's error page for
 * an unknown application in plain words; a sign-in's failure page and the refusals of a passkey
 * and of a partner's user in German. Chromium screenshots of the login page in English and
 * Chinese go to .test-output/i18n/ for a reviewer to look at. Time is pinned.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { codeAt } from '../../../src/mfa/totp.js';
import { redirectUri } from '../../helpers/applications.js';
import { expectPage, type Browser, type Page } from '../../helpers/browser.js';
import { launchChromium, skipWithoutChromium } from '../../helpers/chromium.js';
import { authorizationUrl, startAuthorization } from '../../helpers/code-flow.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice, carol } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { jwtConnection } from '../jwt-sso/fixtures.js';
import { partnerToken, Person } from '../jwt-sso/steps.js';

const publicApp = (clientId: string, extra: Record<string, unknown> = {}) => ({
  client_id: clientId, client_name: 'Network Notes', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], ...extra,
});

const loginForm = 'form[action$="/password/login"]';
const screenshots = path.resolve('.test-output', 'i18n');

describe('pages in six languages (sqlite)', () => {
  let server: TestServer;
  let time: PinnedTime;
  const rp: Record<string, oidc.Configuration> = {};

  before(async () => {
    time = pinTime(Date.UTC(2026, 11, 8, 9, 0, 10));
    server = await startServer({
      declarations: {
        applications: [publicApp('notes'), publicApp('payroll', { client_name: 'Payroll', mfa: 'required' })],
        users: [{ ...alice }, { ...carol, locale: 'ja' }],
        connections: [jwtConnection('members', { provisioning: 'existing_users_only' })],
      },
      clock: time,
    });
    for (const clientId of ['notes', 'payroll']) rp[clientId] = await oidc.discovery(new URL(server.issuer), clientId, undefined, oidc.None(), insecure);
  });
  after(async () => {
    await server?.close();
    time?.release();
  });

  const h1 = (page: Page) => page.document.querySelector('h1')?.text.trim();
  const langOf = (page: Page) => page.document.querySelector('html')?.getAttribute('lang');

  async function loginPage(browser: Browser, clientId: string, params: Record<string, string> = {}): Promise<Page> {
    const pending = await startAuthorization(rp[clientId]!, 'openid', params);
    return expectPage(await browser.get(pending.url.toString()));
  }

  test('without any signal the login page is English, and says so', async () => {
    const page = await loginPage(newBrowser(server), 'notes');
    assert.equal(langOf(page), 'en');
    assert.equal(page.headers.get('content-language'), 'en');
    assert.equal(h1(page), 'Sign in');
  });

  test('a language cookie no browser of ours wrote (a malformed escape) is ignored, not an error', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'text/html', cookie: 'gatehouse_lang=%E0%A4' } });
    assert.notEqual(response.status, 500);
    assert.equal(response.headers.get('content-language') ?? 'en', 'en');
  });

  test('ui_locales=zh-CN renders the login page in Chinese, and a refused password says so in Chinese too', async () => {
    const browser = newBrowser(server);
    const page = await loginPage(browser, 'notes', { ui_locales: 'zh-CN en' });
    assert.equal(langOf(page), 'zh-CN');
    assert.equal(page.headers.get('content-language'), 'zh-CN');
    assert.equal(h1(page), '登录');
    assert.match(page.body, /<title>登录 · Gatehouse<\/title>/);
    assert.match(page.body, /以继续使用 <strong>Network Notes<\/strong>/);
    const refused = expectPage(await browser.submit(page, loginForm, { username: alice.username, password: 'wrong' }));
    assert.equal(refused.status, 401);
    assert.equal(langOf(refused), 'zh-CN');
    assert.equal(refused.document.querySelector('.error')?.text, '用户名或密码不正确。多次失败后，登录将暂停几分钟。');
  });

  test('Accept-Language: de renders German; an unknown ui_locales is ignored, not an error', async () => {
    const browser = newBrowser(server);
    const first = await loginPage(browser, 'notes', { ui_locales: 'ko x-klingon' });
    assert.equal(first.status, 200);
    const page = expectPage(await browser.navigate(first.url, { headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } }));
    assert.equal(langOf(page), 'de');
    assert.equal(page.headers.get('content-language'), 'de');
    assert.equal(h1(page), 'Anmelden');
  });

  test('the switcher: a link per language in its own name; following one sets the cookie and switches, and the cookie then outranks ui_locales', async () => {
    const browser = newBrowser(server);
    const page = await loginPage(browser, 'notes', { ui_locales: 'zh-CN' });
    const links = page.document.querySelectorAll('nav.languages a');
    assert.deepEqual(links.map((link) => link.text), ['English', '简体中文', 'Deutsch', 'Français', 'Español', '日本語']);
    assert.deepEqual(links.map((link) => link.getAttribute('hreflang')), ['en', 'zh-CN', 'de', 'fr', 'es', 'ja']);
    assert.deepEqual(links.map((link) => link.getAttribute('lang')), ['en', 'zh-CN', 'de', 'fr', 'es', 'ja']);
    const french = links.find((link) => link.getAttribute('hreflang') === 'fr')!.getAttribute('href')!;
    assert.equal(french, `${new URL(page.url).pathname}?lang=fr`);
    const switched = expectPage(await browser.get(new URL(french, page.url).toString()));
    assert.equal(langOf(switched), 'fr');
    assert.equal(h1(switched), 'Connexion');
    const cookie = switched.headers.getSetCookie().find((value) => value.startsWith('gatehouse_lang='));
    assert.match(cookie ?? '', /^gatehouse_lang=fr; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/);
    // A new sign-in in the same browser: the person's pick stands over the application's ui_locales.
    const again = await loginPage(browser, 'notes', { ui_locales: 'zh-CN' });
    assert.equal(langOf(again), 'fr');
    // A refused form answers with a page whose switcher leads to the interaction's page, never to the form's address.
    const refused = expectPage(await browser.submit(again, loginForm, { username: alice.username, password: 'wrong' }));
    assert.equal(refused.document.querySelector('nav.languages a[hreflang="de"]')?.getAttribute('href'), `${new URL(again.url).pathname}?lang=de`);
  });

  test('discovery lists ui_locales_supported', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as { ui_locales_supported?: string[] };
    assert.deepEqual(metadata.ui_locales_supported, ['en', 'zh-CN', 'de', 'fr', 'es', 'ja']);
  });

  test('an unknown application: the error page says in plain words what happened and what to do, in the asked language', async () => {
    const browser = newBrowser(server);
    const url = authorizationUrl(server, { client_id: 'nobody', response_type: 'code', scope: 'openid' });
    const english = expectPage(await browser.get(url.toString()));
    assert.equal(english.status, 400);
    assert.match(english.body, /is not registered with this sign-in service/);
    assert.match(english.body, /tell its administrator/);
    assert.match(english.body, /Error code: invalid_client/);
    url.searchParams.set('ui_locales', 'es');
    const spanish = expectPage(await browser.get(url.toString()));
    assert.equal(langOf(spanish), 'es');
    assert.equal(spanish.headers.get('content-language'), 'es');
    assert.match(spanish.body, /no está registrada en este servicio de inicio de sesión/);
    assert.match(spanish.body, /Código de error: invalid_client/);
  });

  test('a Gatehouse error page for a browser is in its language; the JSON answer stays English', async () => {
    const page = expectPage(await newBrowser(server).navigate(`${server.url}/no-such-page`, { headers: { 'accept-language': 'ja' } }));
    assert.equal(page.status, 404);
    assert.equal(langOf(page), 'ja');
    assert.equal(h1(page), '見つかりません');
    const api = await fetch(`${server.url}/no-such-page`, { headers: { accept: 'application/json', 'accept-language': 'ja' } });
    assert.equal(((await api.json()) as { title: string }).title, 'Not found');
  });

  test('a sign-in that cannot go on (a forged connection test link) says so in German, with the code for an administrator; so does a refused request, field by field', async () => {
    const page = expectPage(await newBrowser(server).navigate(`${server.url}/login/oidc/corp/test?token=forged`, { headers: { 'accept-language': 'de' } }));
    assert.equal(page.status, 403);
    assert.equal(langOf(page), 'de');
    assert.equal(h1(page), 'Die Anmeldung wurde nicht abgeschlossen');
    assert.equal(page.document.querySelector('.error')?.text, 'Dieser Testlink ist ungültig oder abgelaufen. Führen Sie „Test connection“ in der Konsole erneut aus, um einen neuen zu erhalten.');
    assert.match(page.body, /Fehlercode: test_link_invalid/);
    // A request its route refuses: the field named as sent, what is wrong with it in German.
    const invalid = expectPage(await newBrowser(server).navigate(`${server.url}/login/oidc/corp/test/result`, { headers: { 'accept-language': 'de' } }));
    assert.equal(invalid.status, 400);
    assert.equal(h1(invalid), 'Die Anfrage ist ungültig');
    assert.equal(invalid.document.querySelector('ul.problems li')?.text, 'querystring.state: fehlt oder ist ungültig');
  });

  test('refusals the sign-in methods decide are said in the page\'s language: a passkey answer, a partner\'s user without an account here', async () => {
    const browser = newBrowser(server);
    const login = await loginPage(browser, 'notes', { ui_locales: 'de' });
    const passkey = expectPage(await browser.submit(login, 'form[action$="/passkey/verify"]', { response: 'not a passkey answer' }));
    assert.equal(passkey.status, 401);
    assert.equal(passkey.document.querySelector('#login-error')?.text, 'Ihr Browser hat keine Passkey-Antwort gesendet, die Gatehouse lesen kann. Versuchen Sie es erneut.');

    const person = new Person({ server, app: rp.notes!, close: () => server.close() });
    const pending = await startAuthorization(rp.notes!, 'openid', { ui_locales: 'de' });
    const signInUrl = await person.pressPartner(expectPage(await person.open(pending.url)), 'members');
    const refused = expectPage(await person.returnWith(signInUrl, await partnerToken({ sub: 'stranger', email: 'stranger@partner.example' })));
    assert.equal(refused.status, 403);
    assert.equal(langOf(refused), 'de');
    assert.equal(refused.document.querySelector('#login-error')?.text,
      'Portal members hat Sie als stranger@partner.example angemeldet, aber über Portal members dürfen sich nur Personen anmelden, die hier bereits ein Konto haben. Bitten Sie einen Administrator, Ihr Konto anzulegen.');
  });

  test('the second step in Japanese, from the user\'s locale claim: set up, then asked for the code', async () => {
    const browser = newBrowser(server);
    const login = await loginPage(browser, 'payroll');
    assert.equal(langOf(login), 'en', 'the user is not known yet');
    const setUp = expectPage(await browser.submit(login, loginForm, { username: carol.username, password: carol.password }));
    assert.equal(langOf(setUp), 'ja');
    assert.equal(setUp.headers.get('content-language'), 'ja');
    assert.equal(h1(setUp), '2 つ目の要素を設定');
    const secret = setUp.document.querySelector('code.secret')?.text.replace(/\s/g, '') ?? '';
    const codes = expectPage(await browser.submit(setUp, 'form[action$="/enrol/totp"]', { code: await codeAt(secret, Date.now() / 1000) }));
    assert.equal(h1(codes), 'リカバリーコードを保存してください');
    assert.equal(codes.document.querySelector('nav.languages'), null, 'codes shown once offer no reload');
    await browser.submit(codes, 'form[action$="/continue"]');

    time.advance(31);
    const next = newBrowser(server);
    const challenge = expectPage(await next.submit(await loginPage(next, 'payroll'), loginForm, { username: carol.username, password: carol.password }));
    assert.equal(langOf(challenge), 'ja');
    assert.equal(h1(challenge), 'ご本人確認');
    assert.equal(challenge.document.querySelector('label[for="totp-code"]')?.text, '認証アプリのコード');
    const wrong = expectPage(await next.submit(challenge, 'form[action$="/mfa/totp"]', { code: '000000' }));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.document.querySelector('.error')?.text, 'コードが正しくありません。認証アプリに現在表示されているコードを入力してください。');
    assert.equal(wrong.document.querySelector('nav.languages a[hreflang="de"]')?.getAttribute('href'), `${new URL(challenge.url).pathname}?lang=de`);
  });

  test('screenshots of the login page in English and Chinese', { skip: skipWithoutChromium }, async () => {
    mkdirSync(screenshots, { recursive: true });
    const chromium = await launchChromium();
    try {
      for (const locale of ['en', 'zh-CN']) {
        const page = await chromium.newPage({ viewport: { width: 480, height: 760 } });
        const { url } = await startAuthorization(rp.notes!, 'openid', { ui_locales: locale });
        await page.goto(url.toString());
        assert.equal(await page.getAttribute('html', 'lang'), locale);
        await page.screenshot({ path: path.join(screenshots, `login-${locale}.png`), fullPage: true });
        await page.close();
      }
    } finally {
      await chromium.close();
    }
  });
});
