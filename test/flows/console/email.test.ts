/*
 * The Email screen (issue 21): an administrator finds email not configured, has a bad port
 * refused beside its field, saves SMTP settings pointing at a real SMTP server in this process,
 * and follows a message through the outbox: queued with the mail server's error while it is
 * down, then sent once it is back. While the configuration file declares email:, the form is
 * read-only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../../src/runtime/actor.js';
import { skipWithoutChromium } from '../../helpers/chromium.js';
import { openScreen, screenshot, startConsole, type ConsoleHarness } from '../../helpers/console.js';
import { pinnedClock } from '../../helpers/test-clock.js';
import { startMailServer, type MailServer } from '../email/mail-server.js';

const smtp = { user: 'gatehouse', password: 'mail relay password 7Qe!' };

describe('the console\'s Email screen', { skip: skipWithoutChromium }, () => {
  // Gatehouse's time stands still, so the outbox's retry comes when the test moves it, not 30 s later.
  const clock = pinnedClock();
  let harness: ConsoleHarness;
  let mail: MailServer;

  before(async () => {
    mail = await startMailServer(smtp);
    harness = await startConsole({ clock });
  });
  after(async () => {
    await harness?.close();
    await mail?.stop();
  });

  test('not configured at first; a bad port is refused beside its field; the settings are saved, the password never shown again', async () => {
    const { page, problems } = harness.signedIn;
    await openScreen(page, 'Email');
    await page.getByText('Email is not configured.').waitFor();
    await page.getByRole('heading', { name: 'No messages yet' }).waitFor();

    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill('70000');
    await page.getByLabel('TLS mode', { exact: true }).selectOption('none');
    await page.getByLabel('User name', { exact: true }).fill(smtp.user);
    await page.getByLabel('Password', { exact: true }).fill(smtp.password);
    await page.getByLabel('Sender address', { exact: true }).fill('id@example.com');
    await page.getByLabel('Sender name', { exact: true }).fill('Example ID');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const portField = page.locator('.field-invalid', { has: page.getByLabel('Port', { exact: true }) });
    await portField.locator('.field-error').waitFor();
    assert.match(await portField.locator('.field-error').innerText(), /65535/);
    assert.equal((await harness.server.services.email.settings.get()).smtp, null, 'nothing is stored');

    await page.getByLabel('Port', { exact: true }).fill(String(mail.port));
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText(/^Saved\. Password reset and email verification can send mail now/).waitFor();
    assert.equal(await page.getByText('Email is not configured.').count(), 0);
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('placeholder'), 'unchanged');
    const stored = await harness.server.services.email.settings.credentials();
    assert.deepEqual(
      { host: stored?.settings.host, port: stored?.settings.port, tls: stored?.settings.tls, user: stored?.settings.user, from: stored?.settings.from, password: stored?.password },
      { host: '127.0.0.1', port: mail.port, tls: 'none', user: smtp.user, from: { address: 'id@example.com', name: 'Example ID' }, password: smtp.password },
    );
    assert.deepEqual(problems, []);
  });

  test('a message waits in the outbox with the mail server\'s error while it is down, and shows sent once it is back', async () => {
    const { page, problems } = harness.signedIn;
    const { email } = harness.server.services;
    await mail.stop();
    await email.queue({ to: 'alice@example.com', template: 'test', locale: 'en', params: { product: 'Gatehouse', origin: harness.server.url } });
    // Whichever runs first, the server's interval or this call, the one try has been made when it returns.
    await email.sender!.sendDue();

    const outbox = page.locator('section.panel', { has: page.getByRole('heading', { name: 'Outbox' }) });
    await outbox.getByRole('button', { name: 'Refresh' }).click();
    const row = outbox.getByRole('table', { name: 'Outbox' }).locator('tbody tr');
    await row.waitFor();
    assert.equal(await row.locator('td[data-label="To"]').innerText(), 'alice@example.com');
    assert.match(await row.locator('td[data-label="What"]').innerText(), /^Test message\ntest · en$/);
    assert.equal(await row.locator('td[data-label="Status"] .badge').innerText(), 'Queued');
    assert.equal(await row.locator('td[data-label="Attempts"]').innerText(), '1');
    assert.match(await row.locator('td[data-label="Last error"]').innerText(), /ECONNREFUSED/);
    assert.equal(await row.locator('td[data-label="Next attempt"] time').getAttribute('datetime'), new Date(clock.now() + 30_000).toISOString());
    await screenshot(page, 'email');

    await mail.start();
    clock.advance(30);
    await email.sender!.sendDue();
    const { mail: received } = await mail.message(0);
    assert.equal((received.to as { text: string }).text, 'alice@example.com');
    await outbox.getByRole('button', { name: 'Refresh' }).click();
    await row.locator('td[data-label="Status"] .badge', { hasText: 'Sent' }).waitFor();
    assert.equal(await row.locator('td[data-label="Attempts"]').innerText(), '2');
    assert.equal(await row.locator('td[data-label="Last error"]').innerText(), 'None');
    assert.deepEqual(problems, []);
  });

  test('while the configuration file declares email:, the settings are shown read-only', async () => {
    const { page, problems } = harness.signedIn;
    const { settings } = harness.server.services.email;
    const file: Actor = { kind: 'config_file', file: 'gatehouse.yaml' };
    await settings.declare(file, { host: 'smtp.example.com', tls: 'starttls', allow_insecure: false, from: { address: 'id@example.com' } });
    await openScreen(page, 'Branding');
    await openScreen(page, 'Email');
    await page.getByText('The configuration file\'s email: section sets these').waitFor();
    assert.equal(await page.getByLabel('Host', { exact: true }).inputValue(), 'smtp.example.com');
    assert.equal(await page.getByLabel('Host', { exact: true }).getAttribute('readonly'), '');
    assert.equal(await page.getByLabel('TLS mode', { exact: true }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Save settings' }).count(), 0);
    await settings.declare(file, undefined);
    assert.deepEqual(problems, []);
  });
});
