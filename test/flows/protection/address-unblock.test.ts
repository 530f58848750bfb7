import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientAuthKey } from '../../../src/protection/client-auth-limits.js';
import { identityKey, ipKey } from '../../../src/protection/ip-throttle.js';
import { accountKey } from '../../../src/protection/account-lockout.js';
import { secretOf } from '../../helpers/applications.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { badClientAuthentication, clientCredentials, LoginForm, protectionDeclarations, readAddressIdentity, readCounter } from './support.js';

const threshold = 3;

for (const dialect of dialects) {
  describe(`gatehouse ips unblock (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;

    // Time stands still, so that every block holds until the command lifts it.
    before(async () => {
      time = pinTime();
      const security = { ip_threshold: threshold, client_auth_threshold: threshold };
      server = await startServer({ dialect, clock: time, declarations: protectionDeclarations(security), env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' } });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    /** Blocks every kind of counter of the address: its sign-ins, the 'web' application, its unknown client_ids. */
    async function blockEverything(address: string): Promise<void> {
      const from = { 'x-forwarded-for': address };
      const form = new LoginForm(server);
      for (let i = 0; i < threshold; i += 1) {
        await form.attempt(`employee${i}`, 'Summer2026!', from);
        await badClientAuthentication(server, from);
        await clientCredentials(server, `ghost-${i}`, 'any-secret', from);
      }
      assert.equal((await form.attempt('alice', alice.password, from)).status, 429, `${address}: sign-ins`);
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), from)).status, 429, `${address}: the application`);
      assert.equal((await clientCredentials(server, 'ghost', 'any-secret', from)).status, 429, `${address}: unknown client_ids`);
    }

    test('clears the sign-in throttle, its identities and every client authentication counter of the address, says what it cleared, and leaves other addresses alone', async () => {
      const address = '203.0.113.95';
      await blockEverything(address);
      const neighbour = '203.0.113.9';
      await new LoginForm(server).attempt('stranger', 'Summer2026!', { 'x-forwarded-for': neighbour });
      await badClientAuthentication(server, { 'x-forwarded-for': neighbour });

      const result = await gatehouse(server, ['ips', 'unblock', address]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `unblocked ${address}: forgot its failed sign-ins (3 identities) and its failed client authentications ("web", unknown client_ids)\n`);
      assert.equal((await gatehouse(server, ['ips', 'unblock', address])).stdout, `${address} was not throttled\n`, 'nothing is left');

      const from = { 'x-forwarded-for': address };
      assert.equal((await new LoginForm(server).attempt('alice', alice.password, from)).signedIn, true);
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), from)).status, 200);
      assert.equal((await clientCredentials(server, 'ghost', 'any-secret', from)).status, 401);
      assert.equal(await readAddressIdentity(server, identityKey(address, accountKey(undefined, 'employee0'))), undefined, 'the identities are forgotten');

      assert.equal((await readCounter(server, ipKey(neighbour)))?.failures, 1, 'an address that shares a prefix of the text keeps its counters');
      assert.equal((await readCounter(server, clientAuthKey(neighbour, 'web')))?.failures, 1);
    });

    test('an IPv6 address clears its /64, an IPv4-mapped one the IPv4 address, and a malformed one is refused', async () => {
      await blockEverything('2001:db8:7:8::1');
      const v6 = await gatehouse(server, ['ips', 'unblock', '2001:db8:7:8:ffff::2']);
      assert.equal(v6.code, 0, v6.stderr);
      assert.match(v6.stdout, /^unblocked 2001:db8:7:8:ffff::2: forgot its failed sign-ins/);
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), { 'x-forwarded-for': '2001:db8:7:8::1' })).status, 200);

      await blockEverything('192.0.2.44');
      assert.equal((await gatehouse(server, ['ips', 'unblock', '::ffff:192.0.2.44'])).code, 0);
      assert.equal((await new LoginForm(server).attempt('alice', alice.password, { 'x-forwarded-for': '192.0.2.44' })).signedIn, true);

      const malformed = await gatehouse(server, ['ips', 'unblock', 'not-an-address']);
      assert.equal(malformed.code, 1);
      assert.match(malformed.stderr, /"not-an-address" is not an IP address/);
    });
  });
}
