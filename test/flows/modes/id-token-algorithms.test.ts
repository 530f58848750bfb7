import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { secretOf } from '../../helpers/applications.js';
import type { Browser } from '../../helpers/browser.js';
import { authorizationUrl, signIn } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { allModes, scopes, users, webApp } from './fixtures.js';
import { fragmentOf, leftHalfHash, verifyIdToken } from './steps.js';

const algorithms = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
const clientIdFor = (alg: string) => `alg-${alg.toLowerCase()}`;

const declarations = {
  users,
  scopes,
  applications: algorithms.map((alg) => webApp(clientIdFor(alg), { ...allModes, id_token_signed_response_alg: alg })),
};

for (const dialect of protocolDialects) {
  describe(`id_token signature algorithms (${dialect})`, () => {
    let server: TestServer;
    let browser: Browser;

    before(async () => {
      server = await startServer({ declarations, dialect });
      browser = newBrowser(server);
    });
    after(() => server?.close());

    /** The verification key material for an algorithm: the client secret for HS256, the published JWKS otherwise. */
    const expectFor = (alg: string) => ({ audience: clientIdFor(alg), algorithm: alg, ...(alg === 'HS256' ? { secret: secretOf(clientIdFor(alg)) } : {}) });

    test('discovery offers the four algorithms, and the JWKS publishes a key for each asymmetric one and no secret', async () => {
      const metadata = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
      assert.deepEqual([...metadata.id_token_signing_alg_values_supported!].sort(), [...algorithms].sort());
      const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: Array<Record<string, string>> };
      assert.deepEqual(jwks.keys.map((key) => key.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
      for (const key of jwks.keys) {
        assert.equal(key.d, undefined, `${key.alg} key is public`);
        assert.notEqual(key.kty, 'oct');
      }
    });

    for (const alg of algorithms) {
      test(`${alg}: openid-client's code flow returns an id_token signed ${alg} that verifies ${alg === 'HS256' ? 'with the application\'s secret' : 'against /oidc/jwks'}`, async () => {
        const clientId = clientIdFor(alg);
        const config = await oidc.discovery(new URL(server.issuer), clientId, { client_secret: secretOf(clientId), id_token_signed_response_alg: alg }, undefined, insecure);
        const tokens = await signIn(server, config, 'openid', { browser });
        assert.equal(decodeProtectedHeader(tokens.id_token!).alg, alg);
        const claims = await verifyIdToken(server, tokens.id_token!, expectFor(alg));
        assert.equal(claims.aud, clientId);
        assert.equal(claims.sub, tokens.claims()?.sub);
      });

      test(`${alg}: the implicit id_token's at_hash uses the hash of ${alg}`, async () => {
        const clientId = clientIdFor(alg);
        const response = fragmentOf(await callbackFor(browser, authorizationUrl(server, {
          client_id: clientId, response_type: 'code id_token token', scope: 'openid', nonce: `nonce-${alg}`,
        })));
        const claims = await verifyIdToken(server, response.get('id_token')!, expectFor(alg));
        assert.equal(claims.at_hash, leftHalfHash(response.get('access_token')!, alg));
        assert.equal(claims.c_hash, leftHalfHash(response.get('code')!, alg));
        assert.equal(claims.nonce, `nonce-${alg}`);
      });
    }

    test('an HS256 id_token does not verify with another application\'s secret', async () => {
      const response = fragmentOf(await callbackFor(browser, authorizationUrl(server, {
        client_id: clientIdFor('HS256'), response_type: 'id_token', scope: 'openid', nonce: 'n',
      })));
      await assert.rejects(verifyIdToken(server, response.get('id_token')!, { ...expectFor('HS256'), secret: secretOf('alg-rs256') }), /signature/);
    });
  });
}
