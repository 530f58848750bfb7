/*
 * Made-up tokens sent to the management API count as failed client authentications of their
 * address: after the threshold the address's unknown tokens are answered 429 with Retry-After and
 * no longer written to the audit log one by one, while a real token from the same address still
 * gets in, and another address is not affected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { automation, callApi, machineToken } from '../../helpers/management-api.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { auditEvents } from '../audit/steps.js';

const threshold = 3;

for (const dialect of dialects) {
  describe(`made-up tokens at the management API (${dialect})`, () => {
    let server: TestServer;
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const guess = (address: string, i: number) => fetch(`${server.url}/api/v1/users`, { headers: { authorization: `Bearer made-up-${i}`, ...from(address) } });

    before(async () => {
      // The test process is the proxy, so X-Forwarded-For names each request's client address.
      server = await startServer({
        dialect, env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' },
        declarations: { applications: [automation], security: { client_auth_threshold: threshold } },
      });
    });
    after(() => server?.close());

    test('after the threshold an address\'s unknown tokens get 429 and are not recorded one by one; a real token still gets in', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < threshold + 3; i += 1) {
        const response = await guess('198.51.100.40', i);
        statuses.push(response.status);
        if (response.status === 429) {
          assert.ok(Number(response.headers.get('retry-after')) > 0, 'the wait is said');
          assert.equal(((await response.json()) as { code: string }).code, 'too_many_attempts');
        } else await response.body?.cancel();
      }
      assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429]);
      const recorded = (await auditEvents(server, 'management.refused')).filter((event) => event.client_address === '198.51.100.40');
      assert.equal(recorded.length, threshold, 'one event per refusal before the block, none after');

      const real = await fetch(`${server.url}/api/v1/users`, { headers: { authorization: `Bearer ${await machineToken(server)}`, ...from('198.51.100.40') } });
      assert.equal(real.status, 200, 'a token Gatehouse issued is never held back');
      await real.body?.cancel();
      const elsewhere = await guess('198.51.100.41', 99);
      assert.equal(elsewhere.status, 401, 'another address is counted apart');
      await elsewhere.body?.cancel();
      assert.equal((await callApi(server, undefined, 'GET', '/users')).status, 401, 'no token at all is no guess');
    });
  });
}
