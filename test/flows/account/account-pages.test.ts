/*
 * The /account pages through the cookie-jar browser, on each dialect: signed in through
 * Gatehouse itself; the profile edited (a wrong field saves nothing); the sessions listed with
 * their address, one signed out (its refresh token refused at the token endpoint afterwards) and
 * the others at once after a fresh sign-in; the password changed (a wrong current one refused,
 * the other sessions and their refresh tokens ended, this browser's kept, a notice received by
 * the SMTP server); an application's access withdrawn (introspection says inactive); another
 * account's session and consent out of reach; a linked sign-in unlinked, refused when it is the
 * last way in (a disabled or deleted connection's is none), also for two unlinks at once. Time is pinned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, type Browser, type Page } from '../../helpers/browser.js';
import { offline, signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { startMailServer, type MailServer } from '../email/mail-server.js';

const loginForm = 'form[action$="/password/login"]';
const alice = { username: 'alice', password: 'correct horse battery staple' };
const ivy = { username: 'ivy', password: 'ivy climbs the old stone wall' };
const june = { username: 'june', password: 'june paints the harbour blue' };
const newPassword = 'a brand new lantern by the sea';
/** A partner connection: its identities' issuer is `urn:gatehouse:connection:{id}` (partner-profile.ts). */
const partner = (id: string, enabled = true) => ({ id, type: 'jwt', name: `Portal ${id}`, sign_in_url: 'https://portal.example/sso', secret: secretOf(id), enabled });
const web = { client_id: 'web', client_name: 'Web Notes', client_secret: secretOf('web'), redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'] };
const board = { ...web, client_id: 'board', client_name: 'Board', client_secret: secretOf('board') };

for (const dialect of dialects) {
  describe(`the account pages (${dialect})`, () => {
    let server: TestServer;
    let mail: MailServer;
    let time: PinnedTime;
    let browser: Browser;
    let rp: oidc.Configuration;
    let aliceId = '';

    before(async () => {
      time = pinTime(Date.UTC(2026, 11, 9, 9, 0, 0));
      mail = await startMailServer();
      server = await startServer({
        dialect, clock: time,
        declarations: {
          applications: [web, board],
          users: [{ ...alice, email: 'alice@example.com', name: 'Alice Liddell' }, ivy, june],
          connections: [partner('portal-a'), partner('portal-b'), partner('portal-off', false)],
          email: { host: '127.0.0.1', port: mail.port, tls: 'none', from: { address: 'id@example.com' } },
        },
      });
      rp = await oidc.discovery(new URL(server.issuer), 'web', secretOf('web'), undefined, insecure);
      browser = newBrowser(server);
      aliceId = (await server.services.users.findByUsername('alice'))!.id;
    });
    after(async () => {
      await server?.close();
      await mail?.stop();
      time?.release();
    });

    const page = (path: string, on = browser) => on.get(`${server.url}${path}`).then(expectPage);
    const signInOn = (login: Page, who = alice, on = browser) => on.submit(login, loginForm, who).then(expectPage);
    /** A browser of its own signed in to the application: its session, and the application's refresh token. */
    const otherDevice = async (credentials = alice) => {
      const device = newBrowser(server);
      const tokens = await signIn(server, rp, offline.scope, { params: offline.params, browser: device, credentials });
      return { device, refreshToken: tokens.refresh_token! };
    };

    test('a visitor signs in and lands on the overview, with the links to every account page', async () => {
      const overview = await signInOn(await page('/account'));
      assert.match(overview.url, /\/account$/);
      assert.match(overview.body, /Signed in as <strong>alice<\/strong>/);
      const links = overview.document.querySelectorAll('nav.account a').map((link) => link.getAttribute('href'));
      assert.deepEqual(links, ['/account', '/account/profile', '/account/password', '/account/email', '/account/security', '/account/sessions', '/account/applications', '/account/identities']);
      const described = overview.document.querySelectorAll('ul.account-pages a').map((link) => link.getAttribute('href'));
      assert.deepEqual(described, links.slice(1), 'the overview describes every other page');
      assert.equal(overview.headers.get('cache-control'), 'no-store');
      assert.equal(overview.document.querySelectorAll('script').length, 0);
      const security = await page('/account/security');
      assert.equal(security.document.querySelector('nav.account a[aria-current="page"]')?.getAttribute('href'), '/account/security');
    });

    test('the profile: a wrong field saves nothing and says why; a right form saves every claim', async () => {
      const profile = await page('/account/profile');
      const refused = expectPage(await browser.submit(profile, 'form[action="/account/profile"]', { name: 'Alice L.', picture: 'http://example.com/a.png', phone_number: 'call me', locale: 'de' }));
      assert.equal(refused.status, 400);
      assert.match(refused.document.querySelector('#picture-error')?.text ?? '', /https address/);
      assert.match(refused.document.querySelector('#phone_number-error')?.text ?? '', /international format/);
      assert.equal(refused.document.querySelector('#name-error'), null);
      assert.equal((await server.services.users.findById(aliceId))!.profile.name, 'Alice Liddell', 'nothing half-saved');

      const saved = expectPage(await browser.submit(profile, 'form[action="/account/profile"]', {
        name: 'Alice L.', given_name: 'Alice', family_name: 'Liddell', nickname: 'Al', picture: 'https://example.com/a.png', phone_number: '+44 20 7946 0958', locale: 'en',
      }));
      assert.match(saved.document.querySelector('[role=status]')?.text ?? '', /profile was saved/);
      assert.equal(saved.document.querySelector('#phone_number')?.getAttribute('value'), '+442079460958');
      const { profile: stored } = (await server.services.users.findById(aliceId))!;
      assert.deepEqual({ ...stored }, { name: 'Alice L.', given_name: 'Alice', family_name: 'Liddell', nickname: 'Al', picture: 'https://example.com/a.png', phone_number: '+442079460958', locale: 'en' });
    });

    test('sessions: listed with address and times, this one marked; one signed out, its refresh token refused', async () => {
      const { device, refreshToken } = await otherDevice();
      const sessions = await page('/account/sessions');
      const items = sessions.document.querySelectorAll('ul.sessions li');
      assert.equal(items.length, 2);
      assert.equal(sessions.document.querySelectorAll('ul.sessions li[aria-current]').length, 1);
      assert.match(items[0]!.text, /Address 127\.0\.0\.1/);
      assert.match(items[0]!.text, /signed in 2026-12-09 09:00 UTC, last active 2026-12-09 09:00 UTC/);
      const endForm = sessions.document.querySelector('ul.sessions li:not([aria-current]) form');
      const ended = expectPage(await browser.submit(sessions, `form[action="${endForm!.getAttribute('action')}"]`));
      assert.match(ended.document.querySelector('[role=status]')?.text ?? '', /session was signed out/);
      assert.equal(ended.document.querySelectorAll('ul.sessions li').length, 1);
      assert.equal(await oauthError(oidc.refreshTokenGrant(rp, refreshToken)), 'invalid_grant');
      assert.ok((await page('/account', device)).document.querySelector(loginForm), 'that browser is signed out');
    });

    test('the password: a wrong current one is refused; the change ends the other sessions and their tokens, keeps this one, and mails a notice', async () => {
      const mine = await signIn(server, rp, offline.scope, { params: offline.params, browser });
      const { device, refreshToken } = await otherDevice();
      const form = await page('/account/password');
      const wrong = expectPage(await browser.submit(form, 'form[action="/account/password"]', { current: 'not my password', password: newPassword, confirm: newPassword }));
      assert.equal(wrong.status, 400);
      assert.match(wrong.document.querySelector('#current-error')?.text ?? '', /not your current password/);
      const weak = expectPage(await browser.submit(form, 'form[action="/account/password"]', { current: alice.password, password: 'short', confirm: 'short' }));
      assert.match(weak.document.querySelector('#password-error')?.text ?? '', /at least 12 characters/);
      const common = expectPage(await browser.submit(form, 'form[action="/account/password"]', { current: alice.password, password: 'password1234', confirm: 'password1234' }));
      assert.match(common.document.querySelector('#password-error')?.text ?? '', /too commonly used/);

      const changed = expectPage(await browser.submit(form, 'form[action="/account/password"]', { current: alice.password, password: newPassword, confirm: newPassword }));
      assert.match(changed.document.querySelector('[role=status]')?.text ?? '', /password was changed/);
      assert.equal(await oauthError(oidc.refreshTokenGrant(rp, refreshToken)), 'invalid_grant', "the other session's token");
      assert.ok((await page('/account', device)).document.querySelector(loginForm), 'the other browser is signed out');
      assert.ok((await oidc.refreshTokenGrant(rp, mine.refresh_token!)).access_token, "this browser's session and its token stay");
      assert.match((await page('/account')).url, /\/account$/);
      const stranger = newBrowser(server);
      const oldRefused = expectPage(await stranger.submit(await page('/account', stranger), loginForm, alice));
      assert.equal(oldRefused.status, 401, 'the old password signs in no more');

      await server.services.email.sender!.sendDue();
      const { mail: notice } = await mail.message(0);
      assert.equal(notice.subject, 'Your Gatehouse password was changed');
      assert.equal((notice.to as { text: string }).text, 'alice@example.com');
      assert.match(notice.text ?? '', /account alice was changed on 2026-12-09 09:00 UTC/);
      assert.match(notice.text ?? '', new RegExp(`${server.config.publicUrl.origin.replace(/[.]/g, '\\.')}/account`));
    });

    test("an application's access withdrawn: its tokens are inactive at introspection", async () => {
      const tokens = await signIn(server, rp, offline.scope, { params: offline.params, browser, credentials: { ...alice, password: newPassword } });
      const applications = await page('/account/applications');
      assert.match(applications.document.querySelector('ul.applications')?.text ?? '', /Web Notes/);
      const revoked = expectPage(await browser.submit(applications, 'form[action="/account/applications/web/revoke"]'));
      assert.match(revoked.document.querySelector('[role=status]')?.text ?? '', /access was withdrawn/);
      assert.equal((await oidc.tokenIntrospection(rp, tokens.access_token)).active, false);
      assert.equal((await oidc.tokenIntrospection(rp, tokens.refresh_token!)).active, false);
    });

    test("another account's session and application consent are out of reach: nothing changes for it", async () => {
      const ivyRp = await oidc.discovery(new URL(server.issuer), 'board', secretOf('board'), undefined, insecure);
      const ivyDevice = newBrowser(server);
      const ivyTokens = await signIn(server, ivyRp, offline.scope, { params: offline.params, browser: ivyDevice, credentials: ivy });
      const ivyId = (await server.services.users.findByUsername('ivy'))!.id;
      const [ivySession] = await server.services.selfService.sessionsWithDevices(ivyId);
      assert.ok(ivySession);

      // This browser's token, from any of its forms: a page shows no form for another account's session or application.
      const csrf = (await page('/account/profile')).document.querySelector('input[name="csrf"]')!.getAttribute('value')!;
      const notEnded = expectPage(await browser.post(`${server.url}/account/sessions/${encodeURIComponent(ivySession.uid)}/end`, { csrf }));
      assert.match(notEnded.document.querySelector('[role=alert]')?.text ?? '', /already gone/);
      const notRevoked = expectPage(await browser.post(`${server.url}/account/applications/board/revoke`, { csrf }));
      assert.match(notRevoked.document.querySelector('[role=alert]')?.text ?? '', /already gone/);

      assert.ok((await oidc.refreshTokenGrant(ivyRp, ivyTokens.refresh_token!)).access_token, "ivy's session and consent stay");
      assert.match((await page('/account', ivyDevice)).url, /\/account$/, "ivy's browser is still signed in");
    });

    test('a linked sign-in is unlinked, unless it is the last way in', async () => {
      const cli = { kind: 'cli', command: 'test' } as const;
      await server.services.identities.link(cli, aliceId, { issuer: 'https://idp.example.com', subject: 'alice-at-idp' });
      const identities = await page('/account/identities');
      assert.match(identities.document.querySelector('ul.identities')?.text ?? '', /idp\.example\.com/);
      const unlinked = expectPage(await browser.submit(identities, 'form[action="/account/identities/unlink"]'));
      assert.match(unlinked.document.querySelector('[role=status]')?.text ?? '', /unlinked/);
      assert.deepEqual(await server.services.identities.listFor(aliceId), []);

      const ivyBrowser = newBrowser(server);
      await signInOn(await page('/account', ivyBrowser), ivy, ivyBrowser);
      const ivyId = (await server.services.users.findByUsername('ivy'))!.id;
      await server.services.identities.link(cli, ivyId, { issuer: 'https://idp.example.com', subject: 'ivy-at-idp' });
      // Ivy's only way in is the linked sign-in once her password is gone.
      const storage = server.openStorage();
      try {
        await storage.db.updateTable('users').set({ password_hash: null }).where('id', '=', ivyId).execute();
      } finally {
        await storage.close();
      }
      const refused = expectPage(await ivyBrowser.submit(await page('/account/identities', ivyBrowser), 'form[action="/account/identities/unlink"]'));
      assert.match(refused.document.querySelector('[role=alert]')?.text ?? '', /last way to sign in/);
      assert.equal((await server.services.identities.listFor(ivyId)).length, 1);
    });

    test('two unlinks at once leave a way in; a disabled or deleted connection is none', async () => {
      const juneBrowser = newBrowser(server);
      await signInOn(await page('/account', juneBrowser), june, juneBrowser);
      const juneId = (await server.services.users.findByUsername('june'))!.id;
      const cli = { kind: 'cli', command: 'test' } as const;
      const at = (connection: string) => ({ issuer: `urn:gatehouse:connection:${connection}`, subject: 'june' });
      for (const identity of [at('portal-a'), at('portal-b'), at('portal-off'), at('deleted')]) await server.services.identities.link(cli, juneId, identity);
      const storage = server.openStorage();
      try {
        await storage.db.updateTable('users').set({ password_hash: null }).where('id', '=', juneId).execute();
      } finally {
        await storage.close();
      }
      const identities = await page('/account/identities', juneBrowser);
      const unlink = (identity: { issuer: string; subject: string }) => juneBrowser.submit(identities, 'form[action="/account/identities/unlink"]', identity).then(expectPage);
      const answers = await Promise.all([unlink(at('portal-a')), unlink(at('portal-b'))]);
      const refusals = answers.filter((answer) => /last way to sign in/.test(answer.document.querySelector('[role=alert]')?.text ?? ''));
      assert.equal(refusals.length, 1, 'one of the two is refused');
      const left = (await server.services.identities.listFor(juneId)).map((row) => row.issuer);
      assert.equal(left.filter((issuer) => issuer === at('portal-a').issuer || issuer === at('portal-b').issuer).length, 1);

      const enabledLeft = left.find((issuer) => issuer === at('portal-a').issuer || issuer === at('portal-b').issuer)!;
      const refused = await unlink({ issuer: enabledLeft, subject: 'june' });
      assert.match(refused.document.querySelector('[role=alert]')?.text ?? '', /last way to sign in/, 'the disabled and the deleted connection do not count');
      assert.equal((await server.services.identities.listFor(juneId)).length, 3);
      const unlinked = await unlink(at('portal-off'));
      assert.match(unlinked.document.querySelector('[role=status]')?.text ?? '', /unlinked/, 'one that is no way in goes');
    });

    test('signing out everywhere else needs a sign-in of the last five minutes: an older one signs in again first', async () => {
      await otherDevice({ ...alice, password: newPassword });
      time.advance(301);
      const sessions = await page('/account/sessions');
      const again = expectPage(await browser.submit(sessions, 'form[action="/account/sessions/end-others"]'));
      assert.ok(again.document.querySelector(loginForm), 'signed in more than five minutes ago: sign in again');
      const back = await signInOn(again, { ...alice, password: newPassword });
      assert.match(back.url, /\/account\/sessions\?notice=fresh$/);
      assert.match(back.document.querySelector('[role=status]')?.text ?? '', /signed in again/);
      const ended = expectPage(await browser.submit(back, 'form[action="/account/sessions/end-others"]'));
      assert.match(ended.document.querySelector('[role=status]')?.text ?? '', /other sessions were signed out/);
      assert.equal(ended.document.querySelectorAll('ul.sessions li').length, 1);
      // The devices of the sessions ended went with them; the sweep removes one whose session is gone, and keeps the live session's.
      const storage = server.openStorage();
      try {
        await storage.db.insertInto('session_devices').values({ session_uid: 'ended-elsewhere', account_id: aliceId, user_agent: null, ip_address: null, created_at: 0, last_seen_at: 0 }).execute();
        await server.sweep();
        const devices = await storage.db.selectFrom('session_devices').select('session_uid').where('account_id', '=', aliceId).execute();
        assert.equal(devices.length, 1);
      } finally {
        await storage.close();
      }
    });

    test('each change is in the audit log with the user as its actor', async () => {
      await server.audit.flush();
      const storage = server.openStorage();
      try {
        const rows = await storage.db.selectFrom('audit_events').select(['type', 'details']).where('actor_kind', '=', 'user').where('actor_id', '=', aliceId).execute();
        const types = new Set(rows.map((row) => row.type));
        for (const type of ['user.updated', 'user.password_set', 'session.ended', 'consent.revoked', 'identity.unlinked']) assert.ok(types.has(type), type);
        assert.ok(!JSON.stringify(rows).includes(newPassword), 'never the password');
      } finally {
        await storage.close();
      }
    });

    test("a signed-in browser's form without its CSRF token changes nothing", async () => {
      const refused = expectPage(await browser.post(`${server.url}/account/profile`, { csrf: 'forged', name: 'Mallory' }));
      assert.equal(refused.status, 403);
      assert.equal((await server.services.users.findById(aliceId))!.profile.name, 'Alice L.');
    });
  });
}
