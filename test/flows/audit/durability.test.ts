/*
 * The audit log keeps what it was given: a burst of requests answered just before the server
 * stops is all stored by the time it has stopped; and it lets go of what is past its retention
 * (`audit.retention_days`), with the periodic sweep, and of nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinnedClock, type TestClock } from '../../helpers/test-clock.js';
import { auditEvents, storedEvents, tokenBurst } from './steps.js';

const m2m = { client_id: 'm2m', client_secret: secretOf('m2m'), grant_types: ['client_credentials'], response_types: [], scope: 'reports:read' };
const scopes = [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }];

for (const dialect of dialects) {
  describe(`nothing recorded is lost when the server stops (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ declarations: { applications: [m2m], scopes }, dialect });
    });
    after(() => server?.close());

    test('600 tokens issued at once, the server closed as soon as the last is answered: 600 token.issued events stored', async () => {
      await tokenBurst(server, 600);
      // Closing runs the audit log's close, which writes what is still queued before the database closes.
      await server.restart();
      const stored = await storedEvents(server.services.deps.db, 'token.issued');
      assert.equal(stored.length, 600);
      assert.equal(new Set(stored.map((event) => event.id)).size, 600, 'each once');
    });
  });

  describe(`audit events are pruned after audit.retention_days (${dialect})`, () => {
    let server: TestServer;
    let clock: TestClock;
    before(async () => {
      clock = pinnedClock();
      server = await startServer({ declarations: { applications: [m2m], scopes, audit: { retention_days: 30 } }, dialect, clock });
    });
    after(() => server?.close());

    test('the sweep removes the events older than the retention and keeps the rest', async () => {
      const startEvents = await auditEvents(server);
      assert.ok(startEvents.length > 0, 'the start recorded its changes');
      await tokenBurst(server, 1, 1);
      clock.advance(29 * 24 * 60 * 60);
      await tokenBurst(server, 2, 1);
      await server.audit.flush();

      await server.sweep();
      assert.equal((await auditEvents(server)).length, startEvents.length + 3, 'at 29 days nothing is past 30');

      clock.advance(2 * 24 * 60 * 60);
      await server.sweep();
      const left = await auditEvents(server);
      assert.deepEqual(left.map((event) => event.type), ['token.issued', 'token.issued'], 'only the two events of 2 days ago are left');
      assert.ok(left.every((event) => event.occurred_at >= clock.now() - 30 * 24 * 60 * 60 * 1000));
    });
  });
}
