/*
 * The audit log through the management API (GET /api/v1/audit-events): what the API's own
 * callers changed is there with their actor and the before and after of the change, never a
 * secret; every filter narrows to exactly its events; pages run newest first, and following the
 * cursors while events keep being written neither repeats nor skips one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { apiClient, automation, callApi, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { alice, bob } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinnedClock, type TestClock } from '../../helpers/test-clock.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { jwtConnection } from '../jwt-sso/fixtures.js';
import { storedEvents } from '../audit/steps.js';

/** Gatehouse's time, pinned so that each event's occurred_at is known to the millisecond. */
const start = Date.parse('2026-03-02T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const declarations = {
  applications: [
    automation,
    { client_id: 'legacy', client_secret: secretOf('legacy'), grant_types: ['password'], response_types: [] },
  ],
  users: [
    { username: 'alice', email: 'alice@example.com', password: alice.password },
    { username: 'bob', email: 'bob@example.com', password: bob.password },
  ],
  connections: [jwtConnection('portal')],
  // Made-up tokens are how these tests add events quickly; past the threshold they would be answered 429 and not recorded.
  security: { client_auth_threshold: 100_000 },
};

interface EventView {
  id: string;
  occurred_at: string;
  type: string;
  outcome: string;
  reason: string | null;
  actor: { kind: string; id: string | null };
  user_id: string | null;
  client_id: string | null;
  connection_id: string | null;
  client_address: string | null;
  details: Record<string, any>;
}

/** Newest first: by occurred_at, then id, both descending (what the pages promise). */
const newestFirst = (a: Pick<EventView, 'occurred_at' | 'id'>, b: Pick<EventView, 'occurred_at' | 'id'>) =>
  a.occurred_at === b.occurred_at ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : (a.occurred_at < b.occurred_at ? 1 : -1);

for (const dialect of dialects) {
  describe(`the audit log through the management API (${dialect})`, () => {
    let clock: TestClock;
    let server: TestServer;
    let api: ApiClient;
    let aliceId: string;
    let bobId: string;

    /** One page of events; what requests recorded is written first, as it would be a fifth of a second later. */
    async function list(query = ''): Promise<{ items: EventView[]; next_cursor: string | null }> {
      await server.audit.flush();
      const answer = await api.get(`/audit-events${query}`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body;
    }

    /** A wrong password for this user through the password grant: a sign_in.failed about them. */
    async function failSignIn(username: string) {
      const answer = await postToken(server, { grant_type: 'password', username, password: 'not the password at all', scope: 'openid' }, basicAuth('legacy', secretOf('legacy')));
      assert.equal(answer.body.error, 'invalid_grant');
    }

    before(async () => {
      clock = pinnedClock(start);
      server = await startServer({ dialect, declarations, clock });
      api = apiClient(server, await machineToken(server));
      aliceId = (await server.services.users.findByUsername('alice'))!.id;
      bobId = (await server.services.users.findByUsername('bob'))!.id;
    });
    after(() => server?.close());

    test('an application created, changed, given a new secret and deleted through the API: each change under the caller\'s name, with what changed, never the secret', async () => {
      clock.advance(60);
      const created = await api.post('/applications', { client_id: 'reports-job', client_name: 'Reports', grant_types: ['client_credentials'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      clock.advance(1);
      assert.equal((await api.put('/applications/reports-job', { client_name: 'Nightly reports', grant_types: ['client_credentials'] })).status, 200);
      clock.advance(1);
      const rotated = await api.post('/applications/reports-job/rotate-secret');
      assert.equal(rotated.status, 200);
      clock.advance(1);
      assert.equal((await api.delete('/applications/reports-job')).status, 204);

      const { items, next_cursor: next } = await list('?client_id=reports-job');
      assert.equal(next, null);
      assert.deepEqual(items.map((event) => [event.type, event.occurred_at]), [
        ['application.deleted', iso(start + 63_000)],
        ['application.secret_rotated', iso(start + 62_000)],
        ['application.updated', iso(start + 61_000)],
        ['application.created', iso(start + 60_000)],
      ], 'newest first, each at the time it was made');
      for (const event of items) {
        assert.deepEqual(
          { actor: event.actor, outcome: event.outcome, client_id: event.client_id, reason: event.reason, user_id: event.user_id },
          { actor: { kind: 'api', id: 'client:automation' }, outcome: 'success', client_id: 'reports-job', reason: null, user_id: null },
        );
      }
      const [deleted, secretRotated, updated, creation] = items;
      assert.equal(creation!.details.after.client_name, 'Reports');
      assert.equal(creation!.details.after.has_client_secret, true);
      assert.ok(!('client_secret' in creation!.details.after), 'whether there is a secret, never which');
      assert.deepEqual(updated!.details, { before: { client_name: 'Reports' }, after: { client_name: 'Nightly reports' } });
      assert.deepEqual(secretRotated!.details, {});
      assert.equal(deleted!.details.before.client_name, 'Nightly reports');
      const shown = JSON.stringify(items);
      for (const secret of [created.body.client_secret, rotated.body.client_secret, secretOf('automation')]) {
        assert.ok(typeof secret === 'string' && secret.length >= 32 && !shown.includes(secret), 'no secret in the events');
      }
    });

    test('every field of an event: a refused sign-in has its reason, the user, the application and the address', async () => {
      clock.advance(60);
      await failSignIn('alice');
      const [event] = (await list(`?type=sign_in.failed&user_id=${aliceId}&limit=1`)).items;
      assert.deepEqual({ ...event, id: undefined }, {
        id: undefined,
        occurred_at: iso(start + 123_000),
        type: 'sign_in.failed',
        outcome: 'failure',
        reason: 'wrong_password',
        actor: { kind: 'anonymous', id: null },
        user_id: aliceId,
        client_id: 'legacy',
        connection_id: null,
        client_address: '127.0.0.1',
        details: { method: 'password', channel: 'password_grant' },
      });
      assert.match(event!.id, /\S/);
    });

    test('filters: by type (one or several), user, application, connection and outcome, and combined', async () => {
      clock.advance(60);
      await failSignIn('bob');
      await server.services.users.updateUser({ kind: 'cli', command: 'users update' }, aliceId, { groups: ['staff'] });
      // A token Gatehouse never issued: a failure of another type.
      assert.equal((await callApi(server, 'garbage-token-0123456789', 'GET', '/applications')).status, 401);
      const everything = await storedEvents(server.services.deps.db);
      const expect = async (query: string, keep: (event: (typeof everything)[number]) => boolean) => {
        const { items, next_cursor: next } = await list(`${query}&limit=200`);
        const wanted = (await storedEvents(server.services.deps.db)).filter(keep);
        assert.ok(wanted.length > 0, `${query} has events to find`);
        assert.equal(next, null);
        assert.deepEqual(items.map((event) => event.id), wanted.sort((a, b) => newestFirst({ occurred_at: iso(a.occurred_at), id: a.id }, { occurred_at: iso(b.occurred_at), id: b.id })).map((event) => event.id), query);
      };
      assert.ok(everything.length > 10, `${everything.length} events stored`);

      await expect('?type=user.created', (event) => event.type === 'user.created');
      await expect('?type=user.created&type=user.updated', (event) => event.type === 'user.created' || event.type === 'user.updated');
      await expect(`?user_id=${aliceId}`, (event) => event.user_id === aliceId);
      await expect(`?user_id=${bobId}`, (event) => event.user_id === bobId);
      await expect('?client_id=legacy', (event) => event.client_id === 'legacy');
      await expect('?connection_id=portal', (event) => event.connection_id === 'portal');
      await expect('?outcome=failure', (event) => event.outcome === 'failure');
      await expect('?outcome=success&type=sign_in.failed&type=user.updated', (event) => event.type === 'user.updated');
      await expect(`?type=sign_in.failed&user_id=${bobId}&client_id=legacy&outcome=failure`, (event) => event.type === 'sign_in.failed' && event.user_id === bobId);

      const byUser = (await list(`?user_id=${aliceId}`)).items;
      assert.deepEqual([...new Set(byUser.map((event) => event.type))].sort(), ['sign_in.failed', 'user.created', 'user.updated']);
      assert.equal((await list('?client_id=nobody-has-this-one')).items.length, 0);
      assert.equal((await list('?type=audit.events_dropped')).items.length, 0);
    });

    test('a time range: from is inclusive, to exclusive, and any offset names the same instant', async () => {
      const between = (from: number, to: number) => list(`?from=${encodeURIComponent(iso(from))}&to=${encodeURIComponent(iso(to))}&limit=200`);
      // The API's changes happened at start + 60, 61, 62 and 63 seconds.
      const changes = (await between(start + 60_000, start + 63_000)).items.filter((event) => event.client_id === 'reports-job');
      assert.deepEqual(changes.map((event) => event.type), ['application.secret_rotated', 'application.updated', 'application.created']);
      const atTheStart = (await between(start, start + 1)).items;
      assert.ok(atTheStart.length > 0 && atTheStart.every((event) => event.occurred_at === iso(start)), 'the configuration file, the keys and the administrator at the first start');
      assert.ok(atTheStart.some((event) => event.type === 'user.created' && event.user_id === aliceId), 'alice, created by the file');

      const fromOnly = (await list(`?from=${encodeURIComponent(iso(start + 120_000))}&limit=200`)).items;
      assert.ok(fromOnly.length > 0 && fromOnly.every((event) => Date.parse(event.occurred_at) >= start + 120_000), 'only events at or after from');
      const toOnly = (await list(`?to=${encodeURIComponent(iso(start + 1))}&limit=200`)).items;
      assert.deepEqual(toOnly.map((event) => event.id).sort(), atTheStart.map((event) => event.id).sort());

      // 10:01:01+01:00 is 09:01:01Z: the update.
      const offset = (await list(`?from=${encodeURIComponent('2026-03-02T10:01:01+01:00')}&to=${encodeURIComponent('2026-03-02T10:01:02+01:00')}&client_id=reports-job`)).items;
      assert.deepEqual(offset.map((event) => event.type), ['application.updated']);
    });

    test('pages: newest first, and following the cursors while events keep being written neither repeats nor skips an event that was there', async () => {
      clock.advance(60);
      // Several events at the same millisecond: only the id orders them, and the cursor must carry it.
      for (let index = 0; index < 30; index += 1) assert.equal((await callApi(server, `garbage-token-${index}-0123456789`, 'GET', '/applications')).status, 401);
      await server.audit.flush();
      const there = (await storedEvents(server.services.deps.db)).map((event) => event.id);
      assert.ok(there.length > 40, `${there.length} events to page through`);

      const seen: EventView[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await list(`?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.ok(page.items.length <= 7, `${page.items.length} items on a page of 7`);
        seen.push(...page.items);
        cursor = page.next_cursor;
        pages += 1;
        // New events meanwhile: some at the same millisecond as those already listed, some later.
        assert.equal((await callApi(server, `garbage-token-during-${pages}-0123456789`, 'GET', '/applications')).status, 401);
        if (pages % 2 === 0) clock.advance(1);
        await machineToken(server);
      } while (cursor && pages < 100);

      assert.equal(cursor, null, 'the last page says so');
      const ids = seen.map((event) => event.id);
      assert.equal(new Set(ids).size, ids.length, 'no event twice');
      assert.deepEqual(ids.filter((id) => there.includes(id)).length, there.length, 'every event that was there when the first page was read');
      assert.deepEqual([...seen].sort(newestFirst).map((event) => event.id), ids, 'newest first throughout');
      assert.ok(pages >= Math.ceil(there.length / 7), `${pages} pages for ${there.length} events`);
    });

    test('a page holds 50 events unless asked, 200 at most', async () => {
      for (let added = 0; (await storedEvents(server.services.deps.db)).length <= 50; added += 1) {
        assert.ok(added < 100, 'a refused token adds an event');
        assert.equal((await callApi(server, 'garbage-token-0123456789', 'GET', '/applications')).status, 401);
        await server.audit.flush();
      }
      const { items, next_cursor: next } = await list();
      assert.equal(items.length, 50);
      assert.ok(next, 'there is more');
      assert.equal((await list('?limit=200')).items.length, Math.min(200, (await storedEvents(server.services.deps.db)).length));
    });

    test('a bad filter is refused with 400 naming its field', async () => {
      const refused = {
        '?type=sign_in.nope': 'querystring.type.0',
        '?type=user.created&type=bogus': 'querystring.type.1',
        '?outcome=maybe': 'querystring.outcome',
        '?from=yesterday': 'querystring.from',
        '?to=2026-03-02': 'querystring.to',
        '?from=2026-03-02T09:00:00': 'querystring.from',
        [`?from=${encodeURIComponent(iso(start + 1000))}&to=${encodeURIComponent(iso(start))}`]: 'querystring.to',
        [`?from=${encodeURIComponent(iso(start))}&to=${encodeURIComponent(iso(start))}`]: 'querystring.to',
        '?user_id=': 'querystring.user_id',
        [`?client_id=${'x'.repeat(300)}`]: 'querystring.client_id',
        '?limit=0': 'querystring.limit',
        '?limit=201': 'querystring.limit',
        '?limit=ten': 'querystring.limit',
        '?cursor=not-a-cursor': 'querystring.cursor',
        [`?cursor=${Buffer.from(JSON.stringify(['reports-job'])).toString('base64url')}`]: 'querystring.cursor',
      };
      for (const [query, field] of Object.entries(refused)) {
        const answer = await api.get(`/audit-events${query}`);
        assert.equal(answer.status, 400, `${query}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.code, 'invalid_request');
        assert.deepEqual(answer.body.details.map((detail: { path: string }) => detail.path), [field], query);
      }
    });
  });
}
