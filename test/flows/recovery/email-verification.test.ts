/*
 * Verifying and changing an email address end to end, against a real SMTP server in this
 * process, reading the link out of the message: without SMTP settings the pages say so; opening
 * a link only shows the address and a button (a mail scanner's fetch changes and uses nothing),
 * the button's post does it; the verification link sets email_verified, works once and expires
 * after 24 hours (pinned time);
 * links are limited per account with a "wait" message; a change needs a fresh sign-in, happens
 * only when the link sent to the new address is followed (not when the address was taken
 * meanwhile), and the old address is told; asking for an address that has an account answers
 * "link sent" like any other (the confirmation refuses it); an application that requires a
 * verified address stops the sign-in of an unverified user at a page that sends the link, and
 * lets it through once the address is verified, also for a browser signed in already to another
 * application (`prompt=none`: interaction_required); its password grant answers invalid_grant
 * until then; a user without an address is refused there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, expectRedirect, isPage, type Browser, type Page } from '../../helpers/browser.js';
import { obtainCallback, startAuthorization } from '../../helpers/code-flow.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { startMailServer, type MailServer } from '../email/mail-server.js';
import { cli, linkIn, mailbox } from './steps.js';

const una = { username: 'una', password: 'una sails the northern sea', email: 'una@example.com' };
const vic = { username: 'vic', password: 'vic bakes bread on sundays', email: 'vic@example.com' };
const otto = { username: 'otto', password: 'otto repairs old clocks', email: 'otto@example.com' };
const nell = { username: 'nell', password: 'nell has no address at all' };
const rue = { username: 'rue', password: 'rue plants tulips in march', email: 'rue@example.com' };
const sam = { username: 'sam', password: 'sam tunes pianos for a living', email: 'sam@example.com' };
const loginForm = 'form[action$="/password/login"]';

describe('verifying and changing an email address (sqlite)', () => {
  let server: TestServer;
  let mail: MailServer;
  let time: PinnedTime;
  let strict: oidc.Configuration;
  let normal: oidc.Configuration;
  let inbox: ReturnType<typeof mailbox>;

  before(async () => {
    time = pinTime(Date.UTC(2026, 11, 9, 9, 0, 0));
    mail = await startMailServer();
    server = await startServer({
      clock: time,
      declarations: {
        applications: [
          { client_id: 'strict', client_name: 'Strict App', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], require_verified_email: true },
          { client_id: 'normal', client_name: 'Normal App', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'] },
          { client_id: 'legacy', client_name: 'Legacy App', client_secret: secretOf('legacy'), grant_types: ['password'], response_types: [], require_verified_email: true },
        ],
        users: [una, vic, otto, nell, rue, sam],
      },
    });
    inbox = mailbox(server, mail);
    strict = await oidc.discovery(new URL(server.issuer), 'strict', undefined, oidc.None(), insecure);
    normal = await oidc.discovery(new URL(server.issuer), 'normal', undefined, oidc.None(), insecure);
  });
  after(async () => {
    await server?.close();
    await mail?.stop();
    time?.release();
  });

  const get = (browser: Browser, url: string) => browser.get(url.startsWith('http') ? url : `${server.url}${url}`).then(expectPage);
  /** The email page, signing in first when asked. */
  async function emailPage(browser: Browser, person: { username: string; password: string }): Promise<Page> {
    const page = await get(browser, '/account/email');
    if (!page.document.querySelector(loginForm)) return page;
    return browser.submit(page, loginForm, { username: person.username, password: person.password }).then(expectPage);
  }
  const notice = (page: Page) => page.document.querySelector('[role=status], [role=alert]')?.text ?? '';
  const verified = async (username: string) => (await server.services.users.findByIdentifier(username))!.profile.email_verified === true;
  const confirmForm = (path: string) => `form[action="${path}"]`;
  /** Opens a link in a new browser and presses its one button. */
  async function follow(link: string, path: string): Promise<Page> {
    const browser = newBrowser(server);
    return expectPage(await browser.submit(await get(browser, link), confirmForm(path)));
  }

  test('without SMTP settings, forgot password and the email page say that email cannot be sent', async () => {
    const forgot = await get(newBrowser(server), '/password/forgot');
    assert.equal(forgot.status, 503);
    assert.match(forgot.body, /Password reset by email is not available here/);
    const browser = newBrowser(server);
    const page = await emailPage(browser, una);
    assert.match(page.document.querySelector('#current-email')?.text ?? '', /una@example\.com.*not verified/);
    const refused = expectPage(await browser.submit(page, 'form[action="/account/email/verify"]'));
    assert.match(notice(refused), /cannot send email/);
    assert.equal((await server.services.email.outbox.list({ limit: 5 })).length, 0);
  });

  test('the verification link sets email_verified, and works once', async () => {
    await server.services.email.settings.update(cli, { host: '127.0.0.1', port: mail.port, tls: 'none', allow_insecure: false, from: { address: 'id@example.com' } });
    const browser = newBrowser(server);
    const sent = expectPage(await browser.submit(await emailPage(browser, una), 'form[action="/account/email/verify"]'));
    assert.match(notice(sent), /verification link was sent to una@example\.com/);
    const link = linkIn(await inbox.next(una.email, /Verify your email address/), '/email/verify');
    const opener = newBrowser(server);
    const opened = await get(opener, link);
    assert.equal(opened.status, 200);
    assert.match(opened.body, /Confirm that una@example\.com is your email address/);
    assert.equal((await get(newBrowser(server), link)).status, 200, 'opening it again, as a mail scanner would, uses nothing');
    assert.equal(await verified(una.username), false, 'opening the link verifies nothing');

    const forged = await newBrowser(server).post(`${server.url}/email/verify`, { token: link.split('/').pop()!, csrf: 'x' });
    assert.equal(forged.status, 403, 'a post without this browser\'s form token is refused');
    assert.equal(await verified(una.username), false);

    const done = expectPage(await opener.submit(opened, confirmForm('/email/verify')));
    assert.equal(done.status, 200);
    assert.match(done.body, /una@example\.com is verified/);
    assert.equal(await verified(una.username), true);
    assert.equal(expectPage(await opener.submit(opened, confirmForm('/email/verify'))).status, 410, 'a second post is refused');
    assert.equal((await get(newBrowser(server), link)).status, 410, 'and the link no longer opens');
    assert.match((await emailPage(browser, una)).document.querySelector('#current-email')?.text ?? '', /It is verified/);
  });

  test('a verification link expires after 24 hours; links are limited per account', async () => {
    const browser = newBrowser(server);
    let page = await emailPage(browser, otto);
    page = expectPage(await browser.submit(page, 'form[action="/account/email/verify"]'));
    const link = linkIn(await inbox.next(otto.email, /Verify your email address/), '/email/verify');
    const opener = newBrowser(server);
    const opened = await get(opener, link);
    time.advance(24 * 60 * 60 + 1);
    assert.equal((await get(newBrowser(server), link)).status, 410);
    const late = expectPage(await opener.submit(opened, confirmForm('/email/verify')));
    assert.equal(late.status, 410, 'a page opened in time is refused once the link has expired');
    assert.ok(late.document.querySelector('a[href="/account/email"]'), 'a new link is offered');
    assert.equal(await verified(otto.username), false);

    for (let sent = 0; sent < 5; sent += 1) page = expectPage(await browser.submit(page, 'form[action="/account/email/verify"]'));
    const refused = expectPage(await browser.submit(page, 'form[action="/account/email/verify"]'));
    assert.equal(refused.status, 429);
    assert.match(notice(refused), /Wait \d+ minutes/);
  });

  test('a change needs a fresh sign-in, happens when the new address confirms it, and the old address is told', async () => {
    const browser = newBrowser(server);
    let page = await emailPage(browser, vic);
    time.advance(6 * 60);
    page = await get(browser, '/account/email');
    const again = expectPage(await browser.submit(page, 'form[action="/account/email/change"]', { email: 'vic@new.example.com' }));
    assert.ok(again.document.querySelector(loginForm), 'signed in six minutes ago: the password again');
    page = expectPage(await browser.submit(again, loginForm, { username: vic.username, password: vic.password }));
    assert.match(page.url, /\/account\/email\?notice=fresh$/);

    // An address with an account is answered like any other: only its mailbox learns that the change cannot happen.
    const taken = expectPage(await browser.submit(page, 'form[action="/account/email/change"]', { email: una.email }));
    assert.equal(taken.status, 200);
    assert.match(notice(taken), /confirmation link was sent to una@example\.com/);
    const takenLink = linkIn(await inbox.next(una.email, /Confirm your new email address/), '/email/change');
    const notMoved = await follow(takenLink, '/email/change');
    assert.equal(notMoved.status, 409);
    assert.match(notMoved.body, /now belongs to another account/);
    assert.equal((await server.services.users.findByIdentifier(vic.username))!.email, vic.email);
    const sent = expectPage(await browser.submit(page, 'form[action="/account/email/change"]', { email: 'Vic@New.example.com' }));
    assert.match(notice(sent), /confirmation link was sent to vic@new\.example\.com/);
    assert.equal((await server.services.users.findByIdentifier(vic.username))!.email, vic.email, 'nothing changes before the link is followed');

    const link = linkIn(await inbox.next('vic@new.example.com', /Confirm your new email address/), '/email/change');
    const forgot = newBrowser(server);
    await forgot.submit(await get(forgot, '/password/forgot'), 'form[action="/password/forgot"]', { identifier: vic.email });
    const reset = linkIn(await inbox.next(vic.email, /Reset your password/), '/password/reset');
    const opened = await get(newBrowser(server), link);
    assert.match(opened.body, /Confirm that vic@new\.example\.com becomes the email address of your account/);
    assert.equal((await server.services.users.findByIdentifier(vic.username))!.email, vic.email, 'opening the link changes nothing');
    const done = await follow(link, '/email/change');
    assert.match(done.body, /Your email address is now vic@new\.example\.com/);
    const user = (await server.services.users.findByIdentifier(vic.username))!;
    assert.equal(user.email, 'vic@new.example.com');
    assert.equal(user.profile.email_verified, true);
    const told = await inbox.next(vic.email, /Your email address was changed/);
    assert.match(told.mail.text ?? '', /from vic@example\.com to vic@new\.example\.com/);
    assert.equal((await get(newBrowser(server), reset)).status, 410, 'a reset link sent to the old address is void');

    // An address taken between the request and the link is not taken over.
    page = await get(browser, '/account/email');
    expectPage(await browser.submit(page, 'form[action="/account/email/change"]', { email: 'shared@example.com' }));
    const pending = linkIn(await inbox.next('shared@example.com', /Confirm your new email address/), '/email/change');
    const otherId = (await server.services.users.findByIdentifier(una.username))!.id;
    await server.services.users.updateUser(cli, otherId, { email: 'shared@example.com' });
    const refused = await follow(pending, '/email/change');
    assert.equal(refused.status, 409);
    assert.match(refused.body, /now belongs to another account/);
  });

  test('an application requiring a verified address stops the sign-in until it is verified', async () => {
    const browser = newBrowser(server);
    const { url } = await startAuthorization(strict, 'openid');
    const login = await get(browser, url.toString());
    const stopped = expectPage(await browser.submit(login, loginForm, { username: otto.username, password: otto.password }));
    assert.match(stopped.url, /\/verified-email\?ticket=/);
    assert.match(stopped.body, /Strict App needs a verified email address/);
    // The hour of the account's link limit (used up above) passes, within the hour of the sign-in.
    time.advance(55 * 60);
    const sent = expectPage(await browser.submit(stopped, 'form[action*="/verified-email"]'));
    assert.match(notice(sent), /link was sent to otto@example\.com/);
    const link = linkIn(await inbox.latest(otto.email, /Verify your email address/), '/email/verify');
    assert.equal((await follow(link, '/email/verify')).status, 200);

    const retry = await get(browser, (await startAuthorization(strict, 'openid')).url.toString());
    const page = retry.document.querySelector(loginForm) ? await browser.submit(retry, loginForm, { username: otto.username, password: otto.password }) : retry;
    const callback = new URL(expectRedirect(expectPage(page).document.querySelector('form[action$="/consent"]') ? await browser.submit(expectPage(page), 'form[action$="/consent"]') : page));
    assert.ok(callback.searchParams.get('code'), 'signed in once the address is verified');

    const other = newBrowser(server);
    const start = await get(other, (await startAuthorization(strict, 'openid')).url.toString());
    const refused = expectPage(await other.submit(start, loginForm, { username: nell.username, password: nell.password }));
    assert.equal(refused.status, 403);
    assert.match(refused.body, /your account has none/);
  });

  /** Where an authorization ends in this browser: the callback, after the consent page when there is one. */
  async function callbackOf(browser: Browser, url: URL): Promise<URL> {
    const result = await browser.get(url.toString());
    const consent = isPage(result) && result.document.querySelector('form[action$="/consent"]');
    return new URL(expectRedirect(consent ? await browser.submit(result, 'form[action$="/consent"]') : result));
  }

  test('a browser signed in to another application is stopped at the verified-email page, then gets its code', async () => {
    const browser = newBrowser(server);
    const { callback } = await obtainCallback(browser, normal, 'openid', { credentials: rue });
    assert.ok(callback.searchParams.get('code'), 'signed in to an application without the requirement');

    const quiet = await startAuthorization(strict, 'openid', { prompt: 'none' });
    const refused = new URL(expectRedirect(await browser.get(quiet.url.toString())));
    assert.equal(refused.searchParams.get('error'), 'interaction_required', 'prompt=none: the application is told');
    assert.equal(refused.searchParams.get('code'), null);

    const stopped = expectPage(await browser.get((await startAuthorization(strict, 'openid')).url.toString()));
    assert.match(stopped.url, /\/verified-email\?ticket=/, 'no code: the page that offers the link');
    assert.ok(!stopped.document.querySelector(loginForm), 'the browser is signed in: no password asked');
    assert.match(stopped.body, /Strict App needs a verified email address/);
    const sent = expectPage(await browser.submit(stopped, 'form[action*="/verified-email"]'));
    assert.match(notice(sent), /link was sent to rue@example\.com/);
    assert.equal((await follow(linkIn(await inbox.latest(rue.email, /Verify your email address/), '/email/verify'), '/email/verify')).status, 200);

    const code = await callbackOf(browser, (await startAuthorization(strict, 'openid')).url);
    assert.ok(code.searchParams.get('code'), 'the same browser gets its code once the address is verified');
  });

  test('the password grant of an application requiring a verified address: invalid_grant until it is verified', async () => {
    const grant = () => postToken(server, { grant_type: 'password', username: sam.username, password: sam.password, scope: 'openid' }, basicAuth('legacy', secretOf('legacy')));
    const refused = await grant();
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');
    assert.equal(refused.body.access_token, undefined);
    const userId = (await server.services.users.findByIdentifier(sam.username))!.id;
    await server.services.users.updateUser(cli, userId, (current) => ({ profile: { ...current.profile, email_verified: true } }));
    const answered = await grant();
    assert.equal(answered.status, 200);
    assert.equal(typeof answered.body.access_token, 'string');
  });
});
