/*
 * Email delivery end to end, on each dialect: the real server and a real SMTP server in this
 * process (smtp-server on 127.0.0.1, no STARTTLS, read with mailparser). Without settings the
 * start banner says email is not configured and `gatehouse mail test` says how to set it; the
 * settings are set through the API (the password never returned, tls none refused off a
 * loopback address, a kept password never sent to a changed server); `gatehouse mail test` sends
 * a message that arrives with its text and HTML parts, after authenticating with the stored
 * password; a message queued in zh-CN arrives in Chinese; with the mail server down a message is
 * retried, survives a restart and arrives once the server is back; `tls: starttls` against a
 * server without STARTTLS sends nothing, not even the password; the configuration file's
 * `email:` owns the settings while it declares them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startupBanner } from '../../../src/startup-banner.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinnedClock } from '../../helpers/test-clock.js';
import { startMailServer, type MailServer } from './mail-server.js';

const password = 'mail relay password 7Qe!';
const from = { address: 'id@example.com', name: 'Example ID' };

for (const dialect of dialects) {
  describe(`email delivery through a real SMTP server (${dialect})`, () => {
    const clock = pinnedClock();
    let server: TestServer;
    let mail: MailServer;
    let api: ApiClient;
    const settingsFor = (port: number) => ({ host: '127.0.0.1', port, tls: 'none', user: 'gatehouse', password, from });

    before(async () => {
      mail = await startMailServer({ user: 'gatehouse', password });
      server = await startServer({ dialect, clock, declarations: { applications: [automation] } });
      api = apiClient(server, await machineToken(server));
    });
    after(async () => {
      await server?.close();
      await mail?.stop();
    });

    test('without settings: the banner says so, and mail test explains how to set them, queuing nothing', async () => {
      assert.match(startupBanner(server.config, server.startup), /\n {2}Email: +not configured: password reset and email verification cannot send mail/);
      const answer = await gatehouse(server, ['mail', 'test', 'alice@example.com']);
      assert.equal(answer.code, 1);
      assert.match(answer.stderr, /email is not configured: add an email: section .* docs\/email\.md/);
      assert.deepEqual((await api.get('/email/outbox')).body, { items: [], next_cursor: null });
      assert.equal((await api.get('/settings/email')).body.configured, false);
    });

    test('the settings through the API: the password kept sealed and never returned, tls none refused off loopback, the change audited without it', async () => {
      const pathsOf = (body: { details: Array<{ path: string }> }) => body.details.map((detail) => detail.path);
      // A name, even localhost, is resolved through DNS first: tls none only to a literal loopback address.
      for (const host of ['smtp.example.com', 'localhost']) {
        const refused = await api.put('/settings/email', { ...settingsFor(mail.port), host });
        assert.equal(refused.status, 400, host);
        assert.deepEqual(pathsOf(refused.body), ['body.tls'], host);
      }
      for (const host of ['127.0.0.1:25', 'smtp://127.0.0.1', '[smtp.example.com]', 'a b']) {
        const refused = await api.put('/settings/email', { ...settingsFor(mail.port), host });
        assert.equal(refused.status, 400, host);
        assert.ok(pathsOf(refused.body).includes('body.host'), host);
      }
      const set = await api.put('/settings/email', settingsFor(mail.port));
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const expected = {
        configured: true, host: '127.0.0.1', port: mail.port, tls: 'none', allow_insecure: false, user: 'gatehouse', has_password: true, from, owner: 'database',
      };
      assert.deepEqual({ ...set.body, updated_at: undefined }, { ...expected, updated_at: undefined });
      const read = await api.get('/settings/email');
      assert.deepEqual({ ...read.body, updated_at: undefined }, { ...expected, updated_at: undefined });
      assert.ok(!JSON.stringify(read.body).includes(password));
      const events = await api.get('/audit-events?type=email.settings_changed');
      assert.equal(events.body.items.length, 1);
      assert.equal(events.body.items[0].details.password_changed, true);
      assert.ok(!JSON.stringify(events.body).includes(password));

      // The password left out is kept only for the same server and user: elsewhere it must be typed again.
      const { password: _left, ...withoutPassword } = settingsFor(mail.port);
      for (const change of [{ host: '127.0.0.2' }, { port: mail.port + 1 }, { user: 'someone-else' }, { tls: 'starttls', host: 'smtp.example.com' }]) {
        const refused = await api.put('/settings/email', { ...withoutPassword, ...change });
        assert.equal(refused.status, 400, JSON.stringify(change));
        assert.equal(refused.body.code, 'invalid_request');
        assert.deepEqual(pathsOf(refused.body), ['body.password'], JSON.stringify(change));
      }
      assert.equal((await api.put('/settings/email', withoutPassword)).status, 200, 'the same server keeps it');
      // IPv6 in brackets is stored bare.
      const bracketed = await api.put('/settings/email', { ...settingsFor(mail.port), host: '[::1]' });
      assert.equal(bracketed.status, 200, JSON.stringify(bracketed.body));
      assert.equal(bracketed.body.host, '::1');
      assert.equal((await api.put('/settings/email', settingsFor(mail.port))).status, 200);
      assert.equal((await api.get('/settings/email')).body.has_password, true);
    });

    test('gatehouse mail test: the message arrives with text and HTML parts, sent with the stored password', async () => {
      // The operator's environment, the public URL included, which the message names.
      const answer = await gatehouse(server, ['mail', 'test', 'alice@example.com'], '', { GATEHOUSE_PUBLIC_URL: server.url });
      assert.equal(answer.code, 0, answer.stderr);
      assert.match(answer.stdout, /^queued \S+: sending to alice@example\.com through 127\.0\.0\.1:\d+ \(none\)\nsent: the mail server accepted the message for alice@example\.com\n$/);
      const { mail: message, user } = await mail.message(0);
      assert.equal(user, 'gatehouse', 'authenticated with the password the API was given');
      assert.equal(message.subject, 'Test message from Gatehouse');
      assert.deepEqual(message.from?.value, [from]);
      assert.equal((message.to as { text: string }).text, 'alice@example.com');
      assert.match(message.text ?? '', new RegExp(`from Gatehouse at ${server.url.replace(/[.]/g, '\\.')}, sent with "gatehouse mail test"`));
      assert.match(String(message.html), /<h1[^>]*>Email delivery works<\/h1>/);
      assert.equal(message.headers.get('auto-submitted'), 'auto-generated');
      const listed = (await api.get('/email/outbox')).body.items;
      assert.equal(listed.length, 1);
      assert.deepEqual(Object.keys(listed[0]).sort(), ['attempts', 'created_at', 'id', 'last_error', 'locale', 'next_attempt_at', 'recipient', 'sent_at', 'status', 'template', 'user_id']);
      assert.equal(listed[0].status, 'sent');
      assert.equal(listed[0].template, 'test');
    });

    test('a message queued in zh-CN arrives in Chinese: subject, text and the HTML\'s language', async () => {
      // The stored tag is matched like a page's: zh-Hans-CN finds the zh-CN catalogue.
      await server.services.email.queue({ to: 'li@example.com', template: 'test', locale: 'zh-Hans-CN', params: { product: 'Gatehouse', origin: server.url } });
      await server.services.email.sender!.sendDue();
      const { mail: message } = await mail.message(1);
      assert.equal((message.to as { text: string }).text, 'li@example.com');
      assert.equal(message.subject, '来自 Gatehouse 的测试邮件');
      assert.match(message.text ?? '', /邮件发送正常/);
      assert.match(message.text ?? '', /gatehouse mail test/);
      assert.match(String(message.html), /<html lang="zh-CN">/);
    });

    test('the mail server down: the message is retried, survives a restart, and arrives once the server is back', async () => {
      await mail.stop();
      const { id } = await server.services.email.queue({ to: 'bob@example.com', template: 'test', locale: 'en', params: { product: 'Gatehouse', origin: server.url }, userId: 'user-bob' });
      // Whichever runs first, the server's interval or this call, the one try has been made when it returns.
      await server.services.email.sender!.sendDue();
      const waiting = (await api.get('/email/outbox?status=queued')).body.items;
      assert.equal(waiting.length, 1);
      assert.equal(waiting[0].id, id);
      assert.equal(waiting[0].attempts, 1);
      assert.match(waiting[0].last_error, /ECONNREFUSED/);
      assert.ok(!waiting[0].last_error.includes(password));
      assert.equal(Date.parse(waiting[0].next_attempt_at), clock.now() + 30_000);

      await server.restart();
      api = apiClient(server, await machineToken(server));
      assert.equal((await api.get('/email/outbox?status=queued')).body.items[0]?.id, id, 'still queued after the restart');
      await mail.start();
      clock.advance(30);
      await server.services.email.sender!.sendDue();
      const { mail: message } = await mail.message(2);
      assert.equal((message.to as { text: string }).text, 'bob@example.com');
      const sent = (await api.get('/email/outbox?status=sent')).body.items.find((item: { id: string }) => item.id === id);
      assert.equal(sent.attempts, 2);
      assert.equal(sent.last_error, null);
      assert.equal(sent.user_id, 'user-bob');
      assert.match(startupBanner(server.config, server.startup), /\n {2}Email: +from id@example\.com through 127\.0\.0\.1:\d+ \(none\)\n/);
    });

    test('tls starttls against a server that offers no STARTTLS: nothing is sent, not even the password, and the message waits for a retry', async () => {
      const authenticated = mail.authentications.length;
      const received = mail.received.length;
      assert.equal((await api.put('/settings/email', { ...settingsFor(mail.port), tls: 'starttls' })).status, 200);
      const answer = await gatehouse(server, ['mail', 'test', 'dave@example.com']);
      assert.equal(answer.code, 1, answer.stdout);
      assert.match(answer.stderr, /not sent: .*; it stays in the outbox and is tried again at /);
      const waiting = (await api.get('/email/outbox?status=queued')).body.items.find((item: { recipient: string }) => item.recipient === 'dave@example.com');
      assert.equal(waiting?.attempts, 1);
      assert.match(waiting.last_error, /TLS/, 'refused for want of STARTTLS');
      assert.equal(mail.authentications.length, authenticated, 'no AUTH over the unencrypted connection');
      assert.equal(mail.received.length, received);
    });

    test('the configuration file\'s email: owns the settings while it declares them, and hands them back when it stops', async () => {
      const declared = { host: '127.0.0.1', port: mail.port, tls: 'none', from: { address: 'noreply@example.com' } };
      await server.restart({ declarations: { applications: [automation], email: declared } });
      api = apiClient(server, await machineToken(server));
      const read = (await api.get('/settings/email')).body;
      assert.equal(read.owner, 'config_file');
      assert.equal(read.has_password, false, 'the file states the whole setting: no password, no user');
      assert.equal(read.user, null);
      const refused = await api.put('/settings/email', settingsFor(mail.port));
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'declared_in_config_file');
      assert.equal((await gatehouse(server, ['mail', 'test', 'carol@example.com'])).code, 0);
      assert.deepEqual((await mail.message(3)).mail.from?.value, [{ address: 'noreply@example.com', name: '' }]);

      await server.restart({ declarations: { applications: [automation] } });
      api = apiClient(server, await machineToken(server));
      assert.equal((await api.get('/settings/email')).body.owner, 'database');
      assert.equal((await api.put('/settings/email', settingsFor(mail.port))).status, 200);
    });
  });
}
