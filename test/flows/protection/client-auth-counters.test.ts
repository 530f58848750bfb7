import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { alice, bob } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { clientCredentials, countStatuses, LoginForm, protectionDeclarations, reportsPasswordGrant } from './support.js';

/** The default: 20 failed authentications of one application from one address a minute. */
const threshold = 20;

/**
 * One misconfigured application must not lock its network out: its failed authentications
 * count against that application at that address only, never against the login page, the
 * password grant's password check or another application (issue 14).
 */
for (const dialect of dialects) {
  describe(`failed client authentications stop only that application from that address (${dialect})`, () => {
    let server: TestServer;
    let time: PinnedTime;
    let signerKey: CryptoKey;
    let strangerKey: CryptoKey;

    // The test process is the proxy, so X-Forwarded-For names the client address. Time stands
    // still, so that a block holds until the test moves past it.
    before(async () => {
      time = pinTime();
      const signer = await generateKeyPair('ES256', { extractable: true });
      signerKey = signer.privateKey;
      strangerKey = (await generateKeyPair('ES256')).privateKey;
      const jwk = await exportJWK(signer.publicKey);
      const signerApplication = {
        client_id: 'signer',
        token_endpoint_auth_method: 'private_key_jwt',
        grant_types: ['client_credentials'],
        jwks: { keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' }] },
      };
      server = await startServer({
        dialect,
        clock: time,
        declarations: protectionDeclarations({}, [signerApplication]),
        env: { GATEHOUSE_TRUSTED_PROXIES: '127.0.0.1' },
      });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    /** A private_key_jwt client assertion (RFC 7523) for the application, signed with the given key. */
    async function assertion(clientId: string, key: CryptoKey): Promise<Record<string, string>> {
      const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer(clientId).setSubject(clientId).setAudience(server.issuer)
        .setJti(randomUUID()).setIssuedAt().setExpirationTime('1m').sign(key);
      return { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt };
    }

    test('100 failed authentications of one application, in every way, leave the login page, the password grant and other applications alone; the application itself is let in again once its block ends', async () => {
      const from = { 'x-forwarded-for': '203.0.113.80' };
      const failures = [
        () => postToken(server, { grant_type: 'client_credentials' }, { ...basicAuth('web', 'a-wrong-secret'), ...from }),
        () => postToken(server, { grant_type: 'client_credentials', client_id: 'web', client_secret: 'a-wrong-secret' }, from),
        async () => postToken(server, { grant_type: 'client_credentials', ...(await assertion('web', strangerKey)) }, from),
      ];
      const statuses: number[] = [];
      for (let i = 0; i < 100; i += 1) statuses.push((await failures[i % failures.length]!()).status);
      assert.deepEqual(countStatuses(statuses), { 401: threshold, 429: 100 - threshold }, 'the block came after the threshold');

      const blocked = await clientCredentials(server, 'web', secretOf('web'), from);
      assert.equal(blocked.status, 429, 'the application is blocked at this address, whatever secret it sends now');
      assert.equal(blocked.body.error, 'temporarily_unavailable');
      assert.match(String(blocked.body.error_description), /too many failed authentications of this application from this address/);
      const retryAfter = Number(blocked.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);

      assert.equal((await new LoginForm(server).attempt('alice', alice.password, from)).signedIn, true, 'a user signs in at the login page');
      assert.equal((await reportsPasswordGrant(server, 'bob', bob.password, from)).status, 200, 'the password grant checks the password');
      const wrongPassword = await reportsPasswordGrant(server, 'bob', 'not his password', from);
      assert.equal(wrongPassword.body.error, 'invalid_grant', 'and refuses a wrong one as such');
      assert.equal((await clientCredentials(server, 'reports', secretOf('reports'), from)).status, 200, 'another application authenticates');
      const signed = await postToken(server, { grant_type: 'client_credentials', ...(await assertion('signer', signerKey)) }, from);
      assert.equal(signed.status, 200, 'an application with private_key_jwt authenticates');
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), { 'x-forwarded-for': '203.0.113.81' })).status, 200, 'the application itself from another address');

      time.advance(retryAfter - 1);
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), from)).status, 429, 'a second before the block ends');
      time.advance(1);
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), from)).status, 200, 'once the block ended, its right secret works');
    });

    test('a bad private_key_jwt assertion counts against its application like a wrong secret', async () => {
      const from = { 'x-forwarded-for': '203.0.113.82' };
      for (let i = 0; i < threshold; i += 1) {
        const answer = await postToken(server, { grant_type: 'client_credentials', ...(await assertion('signer', strangerKey)) }, from);
        assert.equal(answer.status, 401, `attempt ${i + 1}`);
      }
      const refused = await postToken(server, { grant_type: 'client_credentials', ...(await assertion('signer', signerKey)) }, from);
      assert.equal(refused.status, 429, 'its right assertion is not even verified while it is blocked');
      assert.equal((await clientCredentials(server, 'web', secretOf('web'), from)).status, 200);
    });

    test('unknown client_ids hammered from an address are throttled together, and known applications there are not', async () => {
      const from = { 'x-forwarded-for': '203.0.113.83' };
      const statuses: number[] = [];
      for (let i = 0; i < threshold + 10; i += 1) statuses.push((await clientCredentials(server, `ghost-${i}`, 'any-secret', from)).status);
      assert.deepEqual(countStatuses(statuses), { 401: threshold, 429: 10 });
      const refused = await clientCredentials(server, 'yet-another-ghost', 'any-secret', from);
      assert.equal(refused.status, 429);
      assert.match(String(refused.body.error_description), /too many failed authentications of unknown client_ids from this address/);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);

      assert.equal((await clientCredentials(server, 'web', secretOf('web'), from)).status, 200, 'a known application at the same address');
      assert.equal((await clientCredentials(server, 'web', 'a-wrong-secret', from)).status, 401, 'which is refused as itself');
      assert.equal((await new LoginForm(server).attempt('alice', alice.password, from)).signedIn, true, 'the login page at the same address');
      assert.equal((await clientCredentials(server, 'ghost-0', 'any-secret', { 'x-forwarded-for': '203.0.113.84' })).status, 401, 'another address');
    });
  });
}
