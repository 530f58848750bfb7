/*
 * Forgot password end to end, against a real SMTP server in this process, reading the link out
 * of the message: the login page links to it; the answer for a known and an unknown address is
 * the same (status and body) and only the known one gets a message; the link opens a form (the
 * password policy applied, each rule said in the page's language), works once, is voided by a
 * newer link and by a password change, and expires after 30 minutes (pinned time); of two
 * submissions at once exactly one succeeds; a reset ends every session and refresh token, signs
 * nobody in, and the second factor is still asked at the next sign-in. On PostgreSQL too when it is there (the concurrent redemption).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { createAccountTokens } from '../../../src/account/recovery/account-tokens.js';
import { codeAt } from '../../../src/mfa/totp.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { Browser, expectPage, isPage, type Page } from '../../helpers/browser.js';
import { obtainCallback, offline, redeem, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { startMailServer, type MailServer } from '../email/mail-server.js';
import { cli, linkIn, mailbox, recipientOf } from './steps.js';

const pat = { username: 'pat', password: 'pat walks the long way home', email: 'pat@example.com' };
const quinn = { username: 'quinn', password: 'quinn reads the small print', email: 'quinn@example.com' };
const tess = { username: 'tess', password: 'tess counts the stars at night', email: 'tess@example.com' };
const newPassword = 'a brand new password for pat';

for (const dialect of dialects) {
  describe(`forgot password (${dialect})`, () => {
    let server: TestServer;
    let mail: MailServer;
    let time: PinnedTime;
    let web: oidc.Configuration;
    let inbox: ReturnType<typeof mailbox>;
    const logLines: string[] = [];

    before(async () => {
      time = pinTime(Date.UTC(2026, 11, 9, 9, 0, 0));
      mail = await startMailServer();
      server = await startServer({
        dialect,
        clock: time,
        logLines,
        declarations: {
          applications: [{ client_id: 'web', client_name: 'Web Notes', client_secret: secretOf('web'), redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'] }],
          users: [pat, quinn, tess].map((person) => ({ ...person, email_verified: true })),
          email: { host: '127.0.0.1', port: mail.port, tls: 'none', from: { address: 'id@example.com' } },
        },
      });
      inbox = mailbox(server, mail);
      web = await oidc.discovery(new URL(server.issuer), 'web', secretOf('web'), undefined, insecure);
    });
    after(async () => {
      await server?.close();
      await mail?.stop();
      time?.release();
    });

    const get = (browser: Browser, url: string) => browser.get(url.startsWith('http') ? url : `${server.url}${url}`).then(expectPage);
    const forgot = async (browser: Browser, identifier: string) => browser.submit(await get(browser, '/password/forgot'), 'form[action="/password/forgot"]', { identifier }).then(expectPage);
    /** Asks for a link for `identifier` and returns it, read out of the message. */
    async function resetLink(identifier: string, to: string): Promise<string> {
      await forgot(newBrowser(server), identifier);
      return linkIn(await inbox.next(to, /Reset your password/), '/password/reset');
    }
    const confirmation = (to: string) => inbox.next(to, /Your password was reset/);
    const choose = (browser: Browser, form: Page, password: string, confirm = password) =>
      browser.submit(form, 'form[action^="/password/reset/"]', { password, confirm }).then(expectPage);

    test('the login page links to it; a known and an unknown address get the same answer, and only the known one a message', async () => {
      const browser = newBrowser(server);
      const { url } = await startAuthorization(web, 'openid');
      const login = await get(browser, url.toString());
      assert.ok(login.document.querySelector('a[href="/password/forgot"]'), 'the login page links to forgot password');

      const known = await forgot(browser, pat.email);
      const unknown = await forgot(browser, 'nobody@example.com');
      assert.equal(known.status, 200);
      assert.equal(unknown.status, known.status);
      assert.equal(unknown.body, known.body, 'the same bytes whoever is named');
      assert.match(known.body, /Check your email/);

      const message = await inbox.next(pat.email, /Reset your password/);
      assert.equal(recipientOf(message), pat.email);
      assert.match(linkIn(message, '/password/reset'), new RegExp(`^${server.url}/password/reset/`));
      const outbox = await server.services.email.outbox.list({ limit: 10 });
      assert.equal(outbox.length, 1, 'nothing queued for the unknown address');
    });

    test('a reset ends every session and refresh token, signs nobody in, and the link works once', async () => {
      const signedIn = newBrowser(server);
      const { pending, callback } = await obtainCallback(signedIn, web, offline.scope, { params: offline.params, credentials: pat });
      const tokens = await redeem(web, pending, callback);
      assert.ok(tokens.refresh_token);

      const link = await resetLink(pat.username, pat.email);
      const browser = newBrowser(server);
      const form = await get(browser, link);
      assert.equal(form.status, 200);
      assert.match(form.body, /Choose a new password for pat/);
      const differ = await choose(browser, form, newPassword, `${newPassword}!`);
      assert.equal(differ.status, 400);
      assert.match(differ.document.querySelector('[role=alert]')?.text ?? '', /differ/);
      const weak = await choose(browser, differ, 'password');
      assert.equal(weak.status, 400);
      assert.match(weak.document.querySelector('[role=alert]')?.text ?? '', /must have at least 12 characters/);
      const german = expectPage(await browser.submit(weak, 'form[action^="/password/reset/"]', { password: 'kurz', confirm: 'kurz' }, { 'accept-language': 'de' }));
      assert.match(german.document.querySelector('[role=alert]')?.text ?? '', /mindestens 12 Zeichen/, 'the rule in the page\'s language, from its code');
      const common = await choose(browser, german, 'password1234');
      assert.match(common.document.querySelector('[role=alert]')?.text ?? '', /too commonly used/);
      const repeated = await choose(browser, common, 'xyzxyzxyzxyz');
      assert.match(repeated.document.querySelector('[role=alert]')?.text ?? '', /one short sequence repeated/);
      const done = await choose(browser, repeated, newPassword);
      assert.equal(done.status, 200);
      assert.match(done.body, /Sign in with your new password/);
      assert.ok(!(done.headers.get('set-cookie') ?? '').includes('_session'), 'no session is set');
      await confirmation(pat.email);

      assert.equal(await oauthError(oidc.refreshTokenGrant(web, tokens.refresh_token!)), 'invalid_grant');
      const again = await get(signedIn, (await startAuthorization(web, 'openid')).url.toString());
      assert.ok(again.document.querySelector('form[action$="/password/login"]'), 'the old session no longer signs in silently');
      const used = await get(newBrowser(server), link);
      assert.equal(used.status, 410);
      assert.ok(used.document.querySelector('a[href="/password/forgot"]'), 'a new link is offered');
      const token = link.split('/').pop()!;
      assert.ok(logLines.some((line) => line.includes('/password/reset/:token')), 'the link\'s requests are logged');
      assert.deepEqual(logLines.filter((line) => line.includes(token)), [], 'the token is in no log line');

      await server.audit.flush();
      const storage = server.openStorage();
      try {
        const userId = (await server.services.users.findByIdentifier(pat.username))!.id;
        const events = await storage.db.selectFrom('audit_events').select('type').where('user_id', '=', userId).where('type', 'in', ['user.password_reset', 'user.password_set']).execute();
        assert.deepEqual(events.map((event) => event.type), ['user.password_reset'], 'one event for the reset');
      } finally {
        await storage.close();
      }
      const user = (await server.services.users.findByIdentifier(pat.username))!;
      assert.ok((await server.services.hasher.verify(user.passwordHash!, newPassword)).ok);
    });

    test('a newer link and a password change void a link; a link expires after 30 minutes', async () => {
      const older = await resetLink(quinn.email, quinn.email);
      const newer = await resetLink(quinn.email, quinn.email);
      assert.equal((await get(newBrowser(server), older)).status, 410, 'voided by the newer one');
      assert.equal((await get(newBrowser(server), newer)).status, 200);
      const user = (await server.services.users.findByIdentifier(quinn.username))!;
      await server.services.users.setPassword(cli, user.id, `${quinn.password} changed`);
      assert.equal((await get(newBrowser(server), newer)).status, 410, 'voided by the password change');

      const expiring = await resetLink(quinn.email, quinn.email);
      time.advance(29 * 60);
      assert.equal((await get(newBrowser(server), expiring)).status, 200);
      time.advance(2 * 60);
      assert.equal((await get(newBrowser(server), expiring)).status, 410, 'expired after 30 minutes');
      // Three links an hour for one account, whoever asks: a fourth is answered the same, and not sent.
      const toQuinn = () => mail.received.filter((message) => recipientOf(message) === quinn.email).length;
      await inbox.deliver();
      const before = toQuinn();
      const answer = await forgot(newBrowser(server), quinn.email);
      assert.match(answer.body, /Check your email/);
      await inbox.deliver();
      assert.equal(toQuinn(), before, 'nothing sent for the fourth');
    });

    test('of two links issued at once for one account, one stays valid (on PostgreSQL, two connections)', async () => {
      const tokens = createAccountTokens({ db: server.services.deps.db, clock: time });
      const user = (await server.services.users.findByIdentifier(quinn.username))!;
      const issued = await Promise.all([0, 1, 2, 3].map(() => tokens.issue('reset_password', user, quinn.email, 60)));
      const valid = await Promise.all(issued.map((token) => tokens.peek(token, 'reset_password')));
      assert.equal(valid.filter((row) => row !== undefined).length, 1, 'the later write replaced the others');
      const redeemed = await Promise.all(issued.map((token) => tokens.redeem(token, 'reset_password')));
      assert.equal(redeemed.filter((row) => row !== undefined).length, 1);
    });

    test('two submissions of one link at once: exactly one succeeds (on PostgreSQL, at two instances)', async () => {
      // Started first: a start applies the configuration file, whose password for pat would void the link.
      const sibling = dialect === 'postgres' ? await server.startSibling() : server;
      try {
        const link = await resetLink(pat.email, pat.email);
        const first = newBrowser(server);
        const second = new Browser([sibling.url, server.url]);
        const [formOne, formTwo] = await Promise.all([get(first, link), get(second, link.replace(server.url, sibling.url))]);
        const results = await Promise.all([choose(first, formOne, `${newPassword} one`), choose(second, formTwo, `${newPassword} two`)]);
        assert.deepEqual(results.map((page) => page.status).sort(), [200, 410]);
      } finally {
        if (sibling !== server) await sibling.close();
      }
      await confirmation(pat.email);
    });

    test('after a reset the second factor is still asked at the next sign-in', async () => {
      const userId = (await server.services.users.findByIdentifier(tess.username))!.id;
      const { secret } = await server.services.mfa.totp.begin(userId, tess.username);
      assert.ok(await server.services.mfa.totp.confirm(cli, userId, await codeAt(secret, Date.now() / 1000)));
      const link = await resetLink(tess.email, tess.email);
      const browser = newBrowser(server);
      assert.equal((await choose(browser, await get(browser, link), `${tess.password} renewed`)).status, 200);
      await confirmation(tess.email);

      const { url } = await startAuthorization(web, 'openid');
      const login = await get(browser, url.toString());
      const result = await browser.submit(login, 'form[action$="/password/login"]', { username: tess.username, password: `${tess.password} renewed` });
      assert.ok(isPage(result) && result.document.querySelector('form[action$="/mfa/totp"]'), 'the authenticator code is asked for');
    });

    test('one client address may ask 20 times an hour, then is asked to wait', async () => {
      const browser = newBrowser(server);
      let answer = await forgot(browser, 'someone@example.com');
      for (let asked = 1; answer.status === 200 && asked <= 20; asked += 1) answer = await forgot(browser, `someone${asked}@example.com`);
      assert.equal(answer.status, 429);
      assert.match(answer.document.querySelector('[role=alert]')?.text ?? '', /Wait \d+ minutes/);
    });
  });
}
