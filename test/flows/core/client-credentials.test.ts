import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { oauthError } from '../../helpers/oauth.js';
import type { TestServer } from '../../helpers/start-server.js';
import { startCoreServer, type RelyingParties } from './steps.js';

for (const dialect of dialects) {
  describe(`client credentials, introspection and revocation (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;

    before(async () => ({ server, rp } = await startCoreServer(dialect)));
    after(() => server?.close());

    test('a machine client gets a token for a scope its application may request', async () => {
      const tokens = await oidc.clientCredentialsGrant(rp.m2m, { scope: 'reports:read' });
      assert.ok(tokens.access_token);
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.equal(tokens.scope, 'reports:read');
      assert.equal(tokens.refresh_token, undefined);
      assert.equal(tokens.id_token, undefined);
    });

    test('a scope outside the application\'s scope is refused with invalid_scope', async () => {
      assert.equal(await oauthError(oidc.clientCredentialsGrant(rp.m2m, { scope: 'profile' })), 'invalid_scope');
      assert.equal(await oauthError(oidc.clientCredentialsGrant(rp.m2m, { scope: 'reports:read openid' })), 'invalid_scope');
    });

    test('a scope Gatehouse does not know is not granted (RFC 6749 §3.3 lets the server ignore it)', async () => {
      const tokens = await oidc.clientCredentialsGrant(rp.m2m, { scope: 'reports:read reports:write' });
      assert.equal(tokens.scope, 'reports:read');
    });

    test('a wrong client secret is refused with invalid_client', async () => {
      const impostor = new oidc.Configuration(rp.m2m.serverMetadata(), 'm2m', 'not-the-secret-0123456789-0123456789');
      oidc.allowInsecureRequests(impostor);
      assert.equal(await oauthError(oidc.clientCredentialsGrant(impostor, { scope: 'reports:read' })), 'invalid_client');
    });

    test('introspection describes a client credentials token, and revocation ends it', async () => {
      const { access_token: token } = await oidc.clientCredentialsGrant(rp.m2m, { scope: 'reports:read' });
      const live = await oidc.tokenIntrospection(rp.m2m, token);
      assert.equal(live.active, true);
      assert.equal(live.client_id, 'm2m');
      assert.equal(live.scope, 'reports:read');
      assert.equal(typeof live.exp, 'number');

      await oidc.tokenRevocation(rp.m2m, token);
      assert.equal((await oidc.tokenIntrospection(rp.m2m, token)).active, false);
    });

    test('introspection of a token Gatehouse never issued is inactive, without other fields', async () => {
      const unknown = await oidc.tokenIntrospection(rp.web, 'made-up-token-value-0123456789');
      assert.deepEqual(unknown, { active: false });
    });

    test('a revoked user access token no longer reaches userinfo', async () => {
      const tokens = await signIn(server, rp.web, 'openid profile');
      const sub = tokens.claims()!.sub;
      const live = await oidc.tokenIntrospection(rp.web, tokens.access_token);
      assert.equal(live.active, true);
      assert.equal(live.client_id, 'web');
      assert.equal(live.sub, sub);
      assert.deepEqual(live.scope?.split(' ').sort(), ['openid', 'profile']);

      await oidc.tokenRevocation(rp.web, tokens.access_token);
      assert.equal((await oidc.tokenIntrospection(rp.web, tokens.access_token)).active, false);
      await assert.rejects(oidc.fetchUserInfo(rp.web, tokens.access_token, sub));
    });
  });
}
