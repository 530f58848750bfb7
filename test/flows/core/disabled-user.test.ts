import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { offline, signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { oauthError } from '../../helpers/oauth.js';
import { bob } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';
import { discoverRelyingParties, type RelyingParties } from './steps.js';

const withBob = (disabled: boolean) => ({ ...coreDeclarations, users: [...coreDeclarations.users, { ...bob, disabled }] });

for (const dialect of dialects) {
  describe(`disabling a user ends what it holds (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;
    let tokens: oidc.TokenEndpointResponse;
    let aliceTokens: oidc.TokenEndpointResponse;

    before(async () => {
      server = await startServer({ declarations: withBob(false), dialect });
      rp = await discoverRelyingParties(server);
      tokens = await signIn(server, rp.web, offline.scope, { params: offline.params, credentials: bob });
      aliceTokens = await signIn(server, rp.web, offline.scope, { params: offline.params });
      assert.equal((await oidc.tokenIntrospection(rp.web, tokens.access_token)).active, true);
      await server.restart({ declarations: withBob(true) });
    });
    after(() => server?.close());

    test('its access token introspects as inactive and its refresh token is refused', async () => {
      assert.equal((await oidc.tokenIntrospection(rp.web, tokens.access_token)).active, false);
      assert.equal((await oidc.tokenIntrospection(rp.web, tokens.refresh_token!)).active, false);
      assert.equal(await oauthError(oidc.refreshTokenGrant(rp.web, tokens.refresh_token!)), 'invalid_grant');
    });

    test('other users keep theirs', async () => {
      assert.equal((await oidc.tokenIntrospection(rp.web, aliceTokens.access_token)).active, true);
      const refreshed = await oidc.refreshTokenGrant(rp.web, aliceTokens.refresh_token!);
      assert.ok(refreshed.access_token);
    });
  });
}
