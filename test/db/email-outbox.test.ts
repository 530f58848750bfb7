/*
 * The email outbox in the database, on every dialect: nothing is queued without SMTP settings;
 * the settings' password is sealed and never recorded; two instances on two handles racing for
 * the same messages send each exactly once; a failed send is retried after 30 s, doubling up to
 * an hour, and given up after defaults.email.maxAttempts tries, its error kept without the
 * password; a server out of reach ends the batch, and a stopped sender claims nothing more; a
 * claim left by an instance that stopped is taken over once it runs out (given up when it was
 * the last try), and a queued message outlives the handle that queued it; the periodic sweep
 * removes old sent and failed messages. The mail server is a transport passed in
 * (the SMTP path itself is test/flows/email/delivery.test.ts).
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { createChangeLog } from '../../src/audit/change-log.js';
import { defaults } from '../../src/config/defaults.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openPostgres, openSqlite } from '../../src/db/connect.js';
import type { EmailStatus } from '../../src/db/database.js';
import type { Storage } from '../../src/db/database.js';
import { createEmailOutboxQueries } from '../../src/db/queries/email-outbox.js';
import { sweepExpired } from '../../src/db/sweep-expired.js';
import { createEmailSettingsService } from '../../src/email/email-settings.js';
import { createOutbox } from '../../src/email/outbox.js';
import { createOutboxSender, retryDelayMilliseconds } from '../../src/email/outbox-sender.js';
import type { Envelope, MailTransport } from '../../src/email/smtp-transport.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { dialects } from '../helpers/databases.js';
import { openSharedStorage, type SharedStorage } from '../helpers/sqlite-race.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('email-outbox-test-secret-0123456789-abcdefghij');
const caller: Actor = { kind: 'api', subject: 'client:automation' };
const password = 'smtp password that must never show';
const product = { product: 'Gatehouse', origin: 'https://id.example.com' };

/** A mail server that accepts everything, one turn of the event loop later, so that racing runs interleave. */
function acceptingServer(sent: Envelope[]): () => MailTransport {
  return () => ({
    async send(envelope) {
      await nextTurn();
      sent.push(envelope);
    },
    close() {},
  });
}

/** A mail server that cannot be reached, and one whose reply repeats the password. */
const unreachable = () => ({
  async send() {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ECONNREFUSED' });
  },
  close() {},
});
const echoing = () => ({
  async send() {
    throw Object.assign(new Error(`535 5.7.8 Authentication failed for ${password} (${Buffer.from(password).toString('base64')})`), { code: 'EAUTH', responseCode: 535 });
  },
  close() {},
});

for (const dialect of dialects) {
  describe(`the email outbox (${dialect})`, () => {
    const clock = pinnedClock(Date.UTC(2026, 11, 8, 12, 0, 0));
    const changes = createChangeLog({ clock, ids: randomIds });
    let shared: SharedStorage;
    let second: Storage;
    const openSecond = () => (shared.sqliteFile ? openSqlite(shared.sqliteFile) : openPostgres(shared.postgresDatabaseUrl!));

    /** One instance over a handle: its settings, its outbox, its sender with its own claim name. */
    const instance = (storage: Storage, transport: () => MailTransport, claimant = randomIds()) => {
      const settings = createEmailSettingsService({ db: storage.db, box, clock, changes });
      return {
        settings,
        outbox: createOutbox({ db: storage.db, box, clock, ids: randomIds, settings }),
        sender: createOutboxSender({ db: storage.db, box, clock, settings, claimant, transportFor: transport }),
      };
    };
    const rows = () => shared.storage.db.selectFrom('email_outbox').selectAll().orderBy('created_at').orderBy('id').execute();
    const clear = () => shared.storage.db.deleteFrom('email_outbox').execute();

    before(async () => {
      shared = await openSharedStorage(dialect);
      second = openSecond();
    });
    after(async () => {
      await second?.close();
      await shared?.close();
    });

    test('without SMTP settings nothing is queued: email_not_configured', async () => {
      const { outbox } = instance(shared.storage, unreachable);
      await assert.rejects(outbox.queue({ to: 'alice@example.com', template: 'test', locale: 'en', params: product }), { code: 'email_not_configured' });
      assert.deepEqual(await rows(), []);
    });

    test('the settings: the password sealed, opened for the sender only, never in the audit log; the same settings again record nothing', async () => {
      const { settings } = instance(shared.storage, unreachable);
      const set = await settings.update(caller, {
        host: '127.0.0.1', port: 2525, tls: 'none', allow_insecure: false, user: 'gatehouse', password, from: { address: 'id@example.com', name: 'Example ID' },
      });
      assert.equal(set.smtp?.hasPassword, true);
      const row = await shared.storage.db.selectFrom('email_settings').selectAll().executeTakeFirstOrThrow();
      assert.ok(row.password_sealed && !row.password_sealed.includes(password));
      assert.equal((await settings.credentials())?.password, password);
      // The same settings again (password left out: kept) change and record nothing.
      await settings.update(caller, { host: '127.0.0.1', port: 2525, tls: 'none', allow_insecure: false, user: 'gatehouse', from: { address: 'id@example.com', name: 'Example ID' } });
      const events = await shared.storage.db.selectFrom('audit_events').select('details').where('type', '=', 'email.settings_changed').execute();
      assert.equal(events.length, 1);
      assert.ok(!events[0]!.details.includes(password));
      assert.match(events[0]!.details, /"password_changed":true/);
      assert.match(events[0]!.details, /"has_password":true/);
    });

    test('two instances on two handles racing for the same messages send each exactly once', async () => {
      await clear();
      const sent: Envelope[] = [];
      const a = instance(shared.storage, acceptingServer(sent));
      const b = instance(second, acceptingServer(sent));
      const count = 12;
      for (let i = 0; i < count; i += 1) await a.outbox.queue({ to: `user${i}@example.com`, template: 'test', locale: 'en', params: product });
      const reports = await Promise.all([a.sender.sendDue(), b.sender.sendDue(), a.sender.sendDue(), b.sender.sendDue()]);
      assert.equal(reports.reduce((sum, report) => sum + report.sent, 0), count);
      assert.deepEqual(sent.map((envelope) => envelope.to).sort(), Array.from({ length: count }, (_, i) => `user${i}@example.com`).sort());
      for (const row of await rows()) {
        assert.equal(row.status, 'sent');
        assert.equal(Number(row.attempts), 1);
        assert.equal(row.params_sealed, null, 'a sent message keeps no parameters');
        assert.equal(Number(row.sent_at), clock.now());
      }
      const text = sent[0]!.content.text;
      assert.match(text, /Gatehouse at https:\/\/id\.example\.com/);
      assert.match(sent[0]!.content.html, /<html lang="en">/);
      assert.doesNotMatch(sent[0]!.content.html, /<img|<script|https?:\/\/(?!id\.example\.com)/, 'no image, script or other site: nothing to track with');
    });

    test('a failed send is retried after 30 s, doubling up to an hour, and given up after the last try; the error kept without the password', async () => {
      await clear();
      const failing = instance(shared.storage, unreachable);
      const { id } = await failing.outbox.queue({ to: 'bob@example.com', template: 'test', locale: 'de', params: product, userId: 'user-bob' });
      const waits: number[] = [];
      for (let attempt = 1; attempt <= defaults.email.maxAttempts; attempt += 1) {
        const report = await failing.sender.sendDue();
        const row = (await createEmailOutboxQueries(shared.storage.db).find(id))!;
        assert.equal(Number(row.attempts), attempt);
        assert.match(row.last_error ?? '', /ECONNREFUSED/);
        if (attempt === defaults.email.maxAttempts) {
          assert.deepEqual(report, { sent: 0, retried: 0, failed: 1, lost: 0 });
          assert.equal(row.status, 'failed');
          assert.equal(row.params_sealed, null, 'a message given up keeps no parameters');
          break;
        }
        assert.deepEqual(report, { sent: 0, retried: 1, failed: 0, lost: 0 });
        assert.equal(row.status, 'queued');
        const wait = Number(row.next_attempt_at) - clock.now();
        waits.push(wait);
        clock.advance(wait / 1000 - 1);
        assert.deepEqual(await failing.sender.sendDue(), { sent: 0, retried: 0, failed: 0, lost: 0 }, 'not due a second early');
        clock.advance(1);
      }
      assert.deepEqual(waits.slice(0, 4), [30_000, 60_000, 120_000, 240_000]);
      assert.equal(Math.max(...waits), defaults.email.retryMaxSeconds * 1000);
      assert.deepEqual(waits, waits.map((_, i) => retryDelayMilliseconds(i + 1)));
      assert.deepEqual(await failing.sender.sendDue(), { sent: 0, retried: 0, failed: 0, lost: 0 }, 'a failed message is not tried again');

      const echoed = instance(shared.storage, echoing);
      const { id: echoedId } = await echoed.outbox.queue({ to: 'carol@example.com', template: 'test', locale: 'en', params: product });
      assert.equal((await echoed.sender.deliver(echoedId))?.status, 'queued');
      const error = (await createEmailOutboxQueries(shared.storage.db).find(echoedId))!.last_error!;
      assert.match(error, /535 5\.7\.8 Authentication failed/);
      assert.ok(!error.includes(password) && !error.includes(Buffer.from(password).toString('base64')), error);
    });

    test('nothing is lost: a claim left by a stopped instance is taken over when it runs out, and a queued message outlives its handle', async () => {
      await clear();
      const sent: Envelope[] = [];
      const a = instance(shared.storage, acceptingServer(sent));
      const { id: stranded } = await a.outbox.queue({ to: 'dave@example.com', template: 'test', locale: 'en', params: product });
      // An instance claims it and stops before settling it.
      const claimed = await createEmailOutboxQueries(second.db).claim(stranded, 'stopped-instance', clock.now(), clock.now() + defaults.email.claimSeconds * 1000);
      assert.equal(claimed?.status, 'sending');
      assert.deepEqual(await a.sender.sendDue(), { sent: 0, retried: 0, failed: 0, lost: 0 }, 'another instance\'s live claim is left alone');
      assert.equal(await a.sender.deliver(stranded), undefined, 'also by a send asked for now');

      // The second handle closes (a restart) with a message queued; a new one finds it.
      const { id: waiting } = await instance(second, unreachable).outbox.queue({ to: 'erin@example.com', template: 'test', locale: 'en', params: product });
      await second.close();
      second = openSecond();
      clock.advance(defaults.email.claimSeconds + 1);
      const b = instance(second, acceptingServer(sent));
      assert.deepEqual(await b.sender.sendDue(), { sent: 2, retried: 0, failed: 0, lost: 0 });
      assert.deepEqual(sent.map((envelope) => envelope.to).sort(), ['dave@example.com', 'erin@example.com']);
      const byId = new Map((await rows()).map((row) => [row.id, row]));
      assert.equal(byId.get(stranded)?.status, 'sent');
      assert.equal(Number(byId.get(stranded)?.attempts), 2, 'the stranded try counts');
      assert.equal(byId.get(waiting)?.status, 'sent');
      // The stopped instance's late settle changes nothing: its claim is gone.
      assert.equal(await createEmailOutboxQueries(shared.storage.db).settle(stranded, 'stopped-instance', { status: 'queued' }), false);
    });

    test('a server out of reach ends the batch after one try, and a stopped sender claims nothing more', async () => {
      await clear();
      const down = instance(shared.storage, unreachable);
      for (const name of ['gina', 'hank', 'ivy']) await down.outbox.queue({ to: `${name}@example.com`, template: 'test', locale: 'en', params: product });
      assert.deepEqual(await down.sender.sendDue(), { sent: 0, retried: 1, failed: 0, lost: 0 }, 'the other two are not tried against a dead server');
      assert.deepEqual((await rows()).map((row) => Number(row.attempts)).sort(), [0, 0, 1]);

      const sent: Envelope[] = [];
      const up = instance(shared.storage, acceptingServer(sent));
      await up.sender.stop();
      assert.deepEqual(await up.sender.sendDue(), { sent: 0, retried: 0, failed: 0, lost: 0 });
      assert.deepEqual(sent, []);
    });

    test('a claim left at the last try is given up when it runs out, not sent again and again', async () => {
      await clear();
      const sent: Envelope[] = [];
      const a = instance(shared.storage, acceptingServer(sent));
      const { id } = await a.outbox.queue({ to: 'jack@example.com', template: 'test', locale: 'en', params: product });
      const queries = createEmailOutboxQueries(shared.storage.db);
      await shared.storage.db.updateTable('email_outbox').set({ attempts: defaults.email.maxAttempts - 1 }).where('id', '=', id).execute();
      // The last try is claimed by an instance that then stops.
      assert.equal(Number((await queries.claim(id, 'stopped-instance', clock.now(), clock.now() + 1000))?.attempts), defaults.email.maxAttempts);
      clock.advance(2);
      assert.deepEqual(await a.sender.sendDue(), { sent: 0, retried: 0, failed: 1, lost: 0 });
      assert.deepEqual(sent, []);
      const row = (await queries.find(id))!;
      assert.equal(row.status, 'failed');
      assert.equal(row.params_sealed, null);
      assert.deepEqual(await a.sender.sendDue(), { sent: 0, retried: 0, failed: 0, lost: 0 });
    });

    test('a message that cannot be rendered is given up with a fixed error, never the opened parameters', async () => {
      await clear();
      const a = instance(shared.storage, acceptingServer([]));
      const { id } = await a.outbox.queue({ to: 'kim@example.com', template: 'test', locale: 'en', params: product });
      // Parameters that open but do not parse: a parser's message would quote them.
      const secret = 'reset-token-that-must-not-show';
      await shared.storage.db.updateTable('email_outbox').set({ params_sealed: box.seal(`{"product": "${secret}`, `email_outbox:${id}`) }).where('id', '=', id).execute();
      assert.deepEqual(await a.sender.sendDue(), { sent: 0, retried: 0, failed: 1, lost: 0 });
      const row = (await createEmailOutboxQueries(shared.storage.db).find(id))!;
      assert.equal(row.last_error, 'cannot be rendered: its parameters do not fit the template');
    });

    test('the periodic sweep removes sent and failed messages after defaults.email.keepDays; queued ones and recent ones stay', async () => {
      await clear();
      const queries = createEmailOutboxQueries(shared.storage.db);
      const insert = async (id: string, status: EmailStatus) => queries.insert({
        id, recipient: `${id}@example.com`, template: 'test', locale: 'en', params_sealed: null, status, attempts: 1, next_attempt_at: clock.now(),
        last_error: status === 'failed' ? 'given up' : null, claimed_by: null, claimed_until: null, created_at: clock.now(), sent_at: status === 'sent' ? clock.now() : null, user_id: null,
      });
      await insert('old-sent', 'sent');
      await insert('old-failed', 'failed');
      await insert('old-queued', 'queued');
      clock.advance(defaults.email.keepDays * 24 * 60 * 60 + 1);
      await insert('new-sent', 'sent');
      await sweepExpired(shared.storage.db, clock);
      assert.deepEqual((await rows()).map((row) => row.id).sort(), ['new-sent', 'old-queued']);
    });
  });
}
