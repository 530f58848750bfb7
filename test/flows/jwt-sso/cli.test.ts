/*
 * `gatehouse connections list` and `gatehouse connections test <id>` for partners' jwt
 * connections (issue 16), run beside a real server whose configuration file declares them: the
 * callback URL to give the partner, a shared secret and a public key that need no fetch, a key
 * set served by the test on 127.0.0.1, and one whose server fails.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK } from 'jose';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { jwtConnection, portalSecret } from './fixtures.js';

/** A server on 127.0.0.1 answering every request with this status and body; counts the requests. */
async function startKeyServer(status: number, body: unknown): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    requests: () => requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

for (const dialect of dialects) {
  describe(`gatehouse connections list and test for jwt connections (${dialect})`, () => {
    let server: TestServer;
    let keySet: Awaited<ReturnType<typeof startKeyServer>>;
    let failing: Awaited<ReturnType<typeof startKeyServer>>;
    const publicKeyPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;

    /** The CLI as the operator runs it beside the server: its public URL and, unless told, private upstreams allowed. */
    const run = (argv: string[], envChanges: Record<string, string | undefined> = {}) => gatehouse(server, argv, '', {
      GATEHOUSE_PUBLIC_URL: server.config.publicUrl.origin, GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true', ...envChanges,
    });

    before(async () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const encryption = generateKeyPairSync('rsa', { modulusLength: 2048 });
      keySet = await startKeyServer(200, { keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'partner-key-1', alg: 'RS256', use: 'sig' },
        // Not for signatures: Test connection must not count it.
        { ...(await exportJWK(encryption.publicKey)), kid: 'partner-enc-1', alg: 'RSA-OAEP', use: 'enc' },
      ] });
      failing = await startKeyServer(500, { error: 'the key service is down' });
      server = await startServer({
        dialect,
        env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
        declarations: {
          connections: [
            jwtConnection('portal'),
            jwtConnection('partner-jwks', { name: 'Partner (key set)', secret: undefined, jwks_uri: keySet.url }),
            jwtConnection('partner-down', { name: 'Partner (down)', secret: undefined, jwks_uri: failing.url, enabled: false }),
            jwtConnection('partner-key', { name: 'Partner (public key)', secret: undefined, public_key: publicKeyPem }),
            { id: 'okta', name: 'Corp Okta', type: 'oidc', discovery_url: 'https://corp.okta.example/.well-known/openid-configuration', client_id: 'gatehouse', client_secret: 'okta-client-secret' },
          ],
        },
      });
    });
    after(async () => {
      await server?.close();
      await keySet?.close();
      await failing?.close();
    });

    test('connections list prints each jwt connection with its type and the callback URL to give the partner', async () => {
      const { code, stdout, stderr } = await run(['connections', 'list']);
      assert.deepEqual([code, stderr], [0, '']);
      const origin = server.config.publicUrl.origin;
      assert.equal(origin, server.url, 'the test server\'s public URL is where it listens');
      assert.equal(stdout, [
        `okta\tCorp Okta\toidc\tenabled\t${origin}/login/oidc/okta/callback`,
        `partner-down\tPartner (down)\tjwt\tdisabled\t${origin}/login/jwt/partner-down`,
        `partner-jwks\tPartner (key set)\tjwt\tenabled\t${origin}/login/jwt/partner-jwks`,
        `partner-key\tPartner (public key)\tjwt\tenabled\t${origin}/login/jwt/partner-key`,
        `portal\tPortal portal\tjwt\tenabled\t${origin}/login/jwt/portal`,
        '',
      ].join('\n'));
    });

    test('connections test passes a shared-secret connection without fetching anything, naming its length and algorithms', async () => {
      const fetchedBefore = keySet.requests() + failing.requests();
      const { code, stdout, stderr } = await run(['connections', 'test', 'portal']);
      assert.deepEqual([code, stderr], [0, '']);
      assert.equal(stdout, `ok    key: a shared secret of ${Buffer.byteLength(portalSecret)} bytes verifies HS256\n`);
      assert.equal(keySet.requests() + failing.requests(), fetchedBefore);
    });

    test('connections test passes a public-key connection', async () => {
      const { code, stdout, stderr } = await run(['connections', 'test', 'partner-key']);
      assert.deepEqual([code, stderr], [0, '']);
      assert.equal(stdout, 'ok    key: the partner\'s public key verifies EdDSA\n');
    });

    test('connections test fetches the key set and names the signing key\'s kid, leaving out the encryption key', async () => {
      const fetchedBefore = keySet.requests();
      const { code, stdout, stderr } = await run(['connections', 'test', 'partner-jwks']);
      assert.deepEqual([code, stderr], [0, '']);
      assert.equal(stdout, `ok    jwks: 1 signing key at ${keySet.url} for RS256, PS256, ES256, EdDSA: partner-key-1\n`);
      assert.equal(keySet.requests(), fetchedBefore + 1, 'fetched now, as a sign-in would');
    });

    test('connections test fails a key set whose server answers 500: a FAIL line and exit status 1', async () => {
      const { code, stdout, stderr } = await run(['connections', 'test', 'partner-down']);
      assert.equal(code, 1);
      assert.equal(stdout, `FAIL  jwks: ${failing.url} answered with HTTP 500 instead of the key set\n`);
      assert.equal(stderr, 'gatehouse: connection "partner-down": 1 of 1 checks failed (jwks)\n');
    });

    test('without GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS the key set on 127.0.0.1 is not fetched, and the check says why', async () => {
      const fetchedBefore = keySet.requests();
      const { code, stdout, stderr } = await run(['connections', 'test', 'partner-jwks'], { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: undefined });
      assert.equal(code, 1);
      assert.match(stdout, /^FAIL {2}jwks: connection "partner-jwks": .*127\.0\.0\.1.*GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true/);
      assert.equal(stderr, 'gatehouse: connection "partner-jwks": 1 of 1 checks failed (jwks)\n');
      assert.equal(keySet.requests(), fetchedBefore, 'nothing reached the private address');
    });

    test('connections test of an unknown id fails naming it', async () => {
      const { code, stdout, stderr } = await run(['connections', 'test', 'nobody']);
      assert.deepEqual([code, stdout, stderr], [1, '', 'gatehouse: no connection "nobody"\n']);
    });
  });
}
