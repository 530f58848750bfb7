import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { outageInternals as internals, takeDatabaseAway } from '../../helpers/outage.js';
import type { TestServer } from '../../helpers/start-server.js';
import { basicAuth, postForm } from '../../helpers/token-endpoint.js';
import { startCoreServer, type RelyingParties } from './steps.js';

function assertUnavailable(response: Response, what: string) {
  assert.equal(response.status, 503, what);
  assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/, `${what}: Retry-After in seconds`);
  assert.match(response.headers.get('cache-control') ?? '', /no-store/, `${what}: never cached`);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/, `${what}: the security headers`);
}

async function assertOAuthUnavailable(response: Response, what: string) {
  assertUnavailable(response, what);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${what}: OAuth JSON, as client libraries read errors`);
  const text = await response.text();
  assert.doesNotMatch(text, internals, `${what}: no driver message or stack trace`);
  assert.deepEqual(Object.keys(JSON.parse(text) as object), ['error', 'error_description'], what);
  assert.equal((JSON.parse(text) as { error: string }).error, 'temporarily_unavailable', what);
}

for (const dialect of dialects) {
  describe(`a database outage answers 503 temporarily_unavailable on /oidc, not 500 server_error (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;

    before(async () => ({ server, rp } = await startCoreServer(dialect)));
    after(() => server?.close());

    const clientCredentials = (secret: string) => postForm(server, 'token', { grant_type: 'client_credentials', scope: 'reports:read' }, basicAuth('m2m', secret));

    test('the token endpoint answers an OAuth JSON error, and issues tokens again once the database is back', async () => {
      const outage = await takeDatabaseAway(server, dialect);
      try {
        await assertOAuthUnavailable(await clientCredentials(secretOf('m2m')), 'client_credentials while the database is away');
      } finally {
        await outage.end();
      }
      const after = await clientCredentials(secretOf('m2m'));
      assert.equal(after.status, 200);
      assert.ok(((await after.json()) as { access_token?: string }).access_token);
    });

    test('a failed client authentication that cannot be counted is 503 too, not a token and not a 500', async () => {
      const outage = await takeDatabaseAway(server, dialect);
      try {
        await assertOAuthUnavailable(await clientCredentials('not-the-secret'), 'a wrong secret while the database is away');
      } finally {
        await outage.end();
      }
      assert.equal((await clientCredentials('not-the-secret')).status, 401, 'an invalid_client again once the database is back');
    });

    test('the authorization endpoint answers a 503 HTML page to the browser, and sends it to sign in once the database is back', async () => {
      const { url } = await startAuthorization(rp.web, 'openid');
      const browserRequest = () => fetch(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
      const outage = await takeDatabaseAway(server, dialect);
      try {
        const page = await browserRequest();
        assertUnavailable(page, 'the authorization request while the database is away');
        assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
        const body = await page.text();
        assert.match(body, /temporarily_unavailable/);
        assert.doesNotMatch(body, internals);
      } finally {
        await outage.end();
      }
      const resumed = await browserRequest();
      assert.equal(resumed.status, 303);
      assert.match(resumed.headers.get('location') ?? '', /\/interaction\//);
    });
  });
}
