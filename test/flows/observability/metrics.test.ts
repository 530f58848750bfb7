/*
 * /metrics counts what the audit log records (sign-ins by method and outcome, tokens by grant
 * type) and every request by its route's pattern, never its URL; it is served only to a scrape
 * with the configured token. Every answer, the engine's included, carries the request's id, as
 * does the request's log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';

const metricsToken = 'metrics-token-0123456789abcdefghijklmnopqrstuvwxyz';

const declarations = {
  applications: [
    { client_id: 'legacy', client_secret: secretOf('legacy'), grant_types: ['password'], response_types: [] },
    { client_id: 'm2m', client_secret: secretOf('m2m'), grant_types: ['client_credentials'], response_types: [], scope: 'reports:read' },
  ],
  users: [{ username: alice.username, password: alice.password }],
  scopes: [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }],
};

/** The value of one series in Prometheus's text format, 0 when it has not appeared yet. */
function valueOf(exposition: string, series: string): number {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

for (const dialect of dialects) {
  describe(`metrics and request ids (${dialect})`, () => {
    let server: TestServer;
    const logLines: string[] = [];

    before(async () => {
      server = await startServer({ declarations, dialect, logLines, env: { GATEHOUSE_METRICS_TOKEN: metricsToken, GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
    });
    after(() => server?.close());

    async function scrape(): Promise<string> {
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      return response.text();
    }

    test('a scrape without the token, or with another, is refused with a problem document', async () => {
      const attempts: Array<Record<string, string>> = [{}, { authorization: `Bearer ${metricsToken.slice(1)}x` }, { authorization: `Basic ${Buffer.from(`x:${metricsToken}`).toString('base64')}` }];
      for (const headers of attempts) {
        const response = await fetch(`${server.url}/metrics`, { headers });
        assert.equal(response.status, 401);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(((await response.json()) as { code: string }).code, 'unauthorized');
      }
    });

    test('sign-ins and tokens are counted from what the audit log records', async () => {
      const signedIn = 'gatehouse_sign_ins_total{method="password",outcome="succeeded"}';
      const refused = 'gatehouse_sign_ins_total{method="password",outcome="failed"}';
      const passwordTokens = 'gatehouse_token_issuances_total{grant_type="password"}';
      const machineTokens = 'gatehouse_token_issuances_total{grant_type="client_credentials"}';
      const before = await scrape();

      const legacy = basicAuth('legacy', secretOf('legacy'));
      assert.equal((await postToken(server, { grant_type: 'password', username: alice.username, password: alice.password, scope: 'openid' }, legacy)).status, 200);
      assert.equal((await postToken(server, { grant_type: 'password', username: alice.username, password: 'not her password at all', scope: 'openid' }, legacy)).status, 400);
      assert.equal((await postToken(server, { grant_type: 'client_credentials', scope: 'reports:read' }, basicAuth('m2m', secretOf('m2m')))).status, 200);

      const after = await scrape();
      assert.equal(valueOf(after, signedIn) - valueOf(before, signedIn), 1);
      assert.equal(valueOf(after, refused) - valueOf(before, refused), 1);
      assert.equal(valueOf(after, passwordTokens) - valueOf(before, passwordTokens), 1);
      assert.equal(valueOf(after, machineTokens) - valueOf(before, machineTokens), 1);
      const tokenRequests = 'gatehouse_http_request_duration_seconds_count{route="/oidc/token",method="POST",status="200"}';
      assert.equal(valueOf(after, tokenRequests) - valueOf(before, tokenRequests), 2);
      assert.ok(valueOf(after, 'gatehouse_engine_builds_total') >= 1);
      assert.match(after, /^gatehouse_audit_events_queued \d+$/m);
      assert.match(after, /^process_resident_memory_bytes \d+/m);
      if (dialect === 'postgres') {
        assert.ok(valueOf(after, 'gatehouse_database_pool_connections{state="total"}') >= 1, 'the pool has opened connections');
        assert.match(after, /^gatehouse_database_pool_waiting \d+$/m);
      } else {
        assert.doesNotMatch(after, /gatehouse_database_pool/, 'SQLite has no pool');
      }
    });

    test('requests are labelled with their route pattern, never with the ids or tokens of their URL', async () => {
      const marker = 'markerzq7';
      await fetch(`${server.url}/api/v1/users/${marker}-user`);
      await fetch(`${server.url}/oidc/auth/${marker}-interaction`);
      await fetch(`${server.url}/nothing/here/${marker}`);
      await fetch(`${server.url}/oidc/jwks?${marker}=1`);
      const exposition = await scrape();
      assert.ok(!exposition.includes(marker), 'no part of a URL is a label');
      assert.ok(!exposition.includes(secretOf('legacy')));
      for (const route of ['/api/v1/users/:id', '/oidc/*', 'unmatched', '/oidc/jwks']) {
        assert.ok(exposition.includes(`route="${route}"`), `a series for ${route}`);
      }
    });

    test('every answer carries its request id, the engine\'s and errors included, and so does its log line', async () => {
      const answers = await Promise.all([
        fetch(`${server.url}/healthz`),
        fetch(`${server.url}/oidc/.well-known/openid-configuration`),
        fetch(`${server.url}/oidc/token`, { method: 'POST' }),
        fetch(`${server.url}/nothing/here`, { headers: { accept: 'text/html' } }),
        // The router's own refusal, before any hook.
        fetch(`${server.url}/api/v1/users/${'x'.repeat(3000)}`),
      ]);
      const ids = answers.map((answer) => answer.headers.get('x-request-id'));
      assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 400, 404, 400]);
      for (const id of ids) assert.match(id ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(new Set(ids).size, ids.length, 'one id per request');

      const logged = logLines.map((line) => JSON.parse(line) as { reqId?: string; msg: string });
      assert.ok(logged.some((entry) => entry.reqId === ids[1] && entry.msg === 'request completed'), 'the engine request\'s log line carries its id');
    });

    test('a trusted proxy\'s X-Request-Id is kept when it is a short token of safe characters, replaced otherwise', async () => {
      const kept = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'edge-4f1c.9a_2' } });
      assert.equal(kept.headers.get('x-request-id'), 'edge-4f1c.9a_2');
      for (const unsafe of ['has space', 'a'.repeat(65), '<script>', 'semi;colon']) {
        const replaced = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': unsafe } });
        assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      }
    });
  });
}

describe('without a metrics token, and without trusted proxies', () => {
  let server: TestServer;

  before(async () => {
    server = await startServer({ declarations });
  });
  after(() => server?.close());

  test('/metrics is not served, and a client\'s own X-Request-Id is not taken', async () => {
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(metrics.status, 404);
    const answer = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'chosen-by-the-client' } });
    assert.match(answer.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
