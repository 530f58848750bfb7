import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { obtainCallback, redeem } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { scopes, users } from './fixtures.js';

/** A client credentials application authenticating with the given method. */
const machine = (clientId: string, method: string, extra: Record<string, unknown> = {}) => ({
  client_id: clientId,
  token_endpoint_auth_method: method,
  grant_types: ['client_credentials'],
  scope: 'reports:read',
  ...extra,
});

async function applicationKeyPair(): Promise<{ privateKey: CryptoKey; jwks: { keys: JWK[] } }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwks: { keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' }] } };
}

for (const dialect of protocolDialects) {
  describe(`token endpoint authentication methods (${dialect})`, () => {
    let server: TestServer;
    let metadata: oidc.ServerMetadata;
    let embeddedKey: CryptoKey;
    let strangerKey: CryptoKey;

    before(async () => {
      const embedded = await applicationKeyPair();
      const other = await applicationKeyPair();
      embeddedKey = embedded.privateKey;
      strangerKey = (await applicationKeyPair()).privateKey;

      server = await startServer({
        dialect,
        declarations: {
          users,
          scopes,
          // This file fails client authentication on purpose more often than its throttle allows.
          security: { client_auth_threshold: 1000 },
          applications: [
            machine('basic', 'client_secret_basic', { client_secret: secretOf('basic') }),
            machine('post', 'client_secret_post', { client_secret: secretOf('post') }),
            machine('secret-jwt', 'client_secret_jwt', { client_secret: secretOf('secret-jwt') }),
            machine('key-jwt', 'private_key_jwt', { jwks: embedded.jwks }),
            machine('other-key-jwt', 'private_key_jwt', { jwks: other.jwks }),
            { client_id: 'public', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'] },
          ],
        },
      });
      metadata = (await oidc.discovery(new URL(server.issuer), 'basic', secretOf('basic'), undefined, insecure)).serverMetadata();
    });
    after(() => server?.close());

    function rp(clientId: string, auth: oidc.ClientAuth): oidc.Configuration {
      const config = new oidc.Configuration(metadata, clientId, undefined, auth);
      oidc.allowInsecureRequests(config);
      return config;
    }

    const registered: Array<[string, () => oidc.ClientAuth]> = [
      ['basic', () => oidc.ClientSecretBasic(secretOf('basic'))],
      ['post', () => oidc.ClientSecretPost(secretOf('post'))],
      ['secret-jwt', () => oidc.ClientSecretJwt(secretOf('secret-jwt'))],
      ['key-jwt', () => oidc.PrivateKeyJwt(embeddedKey)],
    ];

    test('discovery lists the five methods for the token, introspection and revocation endpoints', () => {
      const methods = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'];
      assert.deepEqual([...metadata.token_endpoint_auth_methods_supported!].sort(), [...methods].sort());
      assert.deepEqual([...(metadata.introspection_endpoint_auth_methods_supported as string[])].sort(), [...methods].sort());
      assert.deepEqual([...(metadata.revocation_endpoint_auth_methods_supported as string[])].sort(), [...methods].sort());
    });

    for (const [clientId, auth] of registered) {
      test(`${clientId}: the registered method gets a token, and introspects and revokes it`, async () => {
        const config = rp(clientId, auth());
        const { access_token: token } = await oidc.clientCredentialsGrant(config, { scope: 'reports:read' });
        const introspected = await oidc.tokenIntrospection(config, token);
        assert.equal(introspected.active, true);
        assert.equal(introspected.client_id, clientId);
        await oidc.tokenRevocation(config, token);
        assert.equal((await oidc.tokenIntrospection(config, token)).active, false);
      });
    }

    test('a shared-secret application may send its secret in the header or the body (RFC 6749 §2.3.1)', async () => {
      for (const [clientId, auth] of [['basic', oidc.ClientSecretPost(secretOf('basic'))], ['post', oidc.ClientSecretBasic(secretOf('post'))]] as const) {
        const { access_token: token } = await oidc.clientCredentialsGrant(rp(clientId, auth), { scope: 'reports:read' });
        assert.ok(token, clientId);
      }
    });

    test('every method outside the registered one is refused with invalid_client, at the token, introspection and revocation endpoints', async () => {
      const { access_token: token } = await oidc.clientCredentialsGrant(rp('basic', oidc.ClientSecretBasic(secretOf('basic'))), { scope: 'reports:read' });
      const wrong: Array<[string, oidc.ClientAuth]> = [
        ['basic', oidc.ClientSecretJwt(secretOf('basic'))],
        ['basic', oidc.PrivateKeyJwt(embeddedKey)],
        ['basic', oidc.None()],
        ['post', oidc.ClientSecretJwt(secretOf('post'))],
        ['post', oidc.None()],
        ['secret-jwt', oidc.ClientSecretBasic(secretOf('secret-jwt'))],
        ['secret-jwt', oidc.ClientSecretPost(secretOf('secret-jwt'))],
        ['secret-jwt', oidc.PrivateKeyJwt(embeddedKey)],
        ['secret-jwt', oidc.None()],
        ['key-jwt', oidc.ClientSecretBasic(secretOf('key-jwt'))],
        ['key-jwt', oidc.ClientSecretPost(secretOf('key-jwt'))],
        ['key-jwt', oidc.ClientSecretJwt(secretOf('key-jwt'))],
        ['key-jwt', oidc.PrivateKeyJwt(strangerKey)],
        ['key-jwt', oidc.None()],
        ['other-key-jwt', oidc.PrivateKeyJwt(embeddedKey)],
      ];
      for (const [clientId, auth] of wrong) {
        const config = rp(clientId, auth);
        assert.equal(await oauthError(oidc.clientCredentialsGrant(config, { scope: 'reports:read' })), 'invalid_client', `${clientId} token`);
        assert.equal(await oauthError(oidc.tokenIntrospection(config, token)), 'invalid_client', `${clientId} introspection`);
        assert.equal(await oauthError(oidc.tokenRevocation(config, token)), 'invalid_client', `${clientId} revocation`);
      }
      assert.equal((await oidc.tokenIntrospection(rp('basic', oidc.ClientSecretBasic(secretOf('basic'))), token)).active, true, 'nothing was revoked');
    });

    test('a grant type the application lacks is named unauthorized_client to the application only, after it authenticated', async () => {
      const fields = { grant_type: 'refresh_token', refresh_token: 'any-refresh-token' };
      const stranger = await postToken(server, fields, basicAuth('basic', 'a-secret-the-application-does-not-have'));
      assert.equal(stranger.status, 401);
      assert.equal(stranger.body.error, 'invalid_client');
      const unauthenticated = await postToken(server, { ...fields, client_id: 'basic' });
      assert.equal(unauthenticated.body.error, 'invalid_client');
      const application = await postToken(server, fields, basicAuth('basic', secretOf('basic')));
      assert.equal(application.status, 400);
      assert.equal(application.body.error, 'unauthorized_client');
    });

    test('none: a public application redeems its code with PKCE alone, and may not present a secret', async () => {
      const config = rp('public', oidc.None());
      const { pending, callback } = await obtainCallback(newBrowser(server), config, 'openid');
      for (const auth of [oidc.ClientSecretBasic('a-secret-the-application-does-not-have'), oidc.ClientSecretJwt('a-secret-the-application-does-not-have'), oidc.PrivateKeyJwt(embeddedKey)]) {
        assert.equal(await oauthError(redeem(rp('public', auth), pending, callback)), 'invalid_client');
      }
      const tokens = await redeem(config, pending, callback);
      assert.ok(tokens.access_token);
      await oidc.tokenRevocation(config, tokens.access_token);
    });
  });
}
