import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { offline, signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure, oauthError } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';
import { discoverRelyingParties, type RelyingParties } from './steps.js';

for (const dialect of dialects) {
  describe(`refresh tokens (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;
    let codeOnly: oidc.Configuration;

    before(async () => {
      server = await startServer({ declarations: coreDeclarations, dialect });
      rp = await discoverRelyingParties(server);
      codeOnly = await oidc.discovery(new URL(server.issuer), 'code-only', undefined, oidc.None(), insecure);
    });
    after(() => server?.close());

    async function introspect(config: oidc.Configuration, token: string) {
      return oidc.tokenIntrospection(config, token);
    }

    test('offline_access with prompt=consent gives an application with the refresh_token grant a refresh token', async () => {
      const tokens = await signIn(server, rp.web, offline.scope, { params: offline.params });
      assert.equal(typeof tokens.refresh_token, 'string');
      assert.ok(tokens.scope?.split(' ').includes('offline_access'));
    });

    test('offline_access without prompt=consent gives no refresh token', async () => {
      const tokens = await signIn(server, rp.web, offline.scope);
      assert.ok(tokens.access_token);
      assert.equal(tokens.refresh_token, undefined);
      assert.ok(!tokens.scope?.split(' ').includes('offline_access'), 'offline_access is dropped without prompt=consent');
    });

    test('an application without the refresh_token grant gets no refresh token', async () => {
      const tokens = await signIn(server, codeOnly, offline.scope, { params: offline.params });
      assert.ok(tokens.access_token);
      assert.equal(tokens.refresh_token, undefined);
    });

    test('a confidential application refreshes with openid-client', async () => {
      const first = await signIn(server, rp.web, offline.scope, { params: offline.params });
      const sub = first.claims()!.sub;
      const refreshed = await oidc.refreshTokenGrant(rp.web, first.refresh_token!);
      assert.ok(refreshed.access_token);
      assert.notEqual(refreshed.access_token, first.access_token);
      assert.equal(refreshed.claims()?.sub, sub);
      const userinfo = await oidc.fetchUserInfo(rp.web, refreshed.access_token, sub);
      assert.equal(userinfo.name, 'Alice Liddell');
    });

    test('a public application gets a new refresh token at every refresh', async () => {
      const first = await signIn(server, rp.spa, offline.scope, { params: offline.params });
      const second = await oidc.refreshTokenGrant(rp.spa, first.refresh_token!);
      const third = await oidc.refreshTokenGrant(rp.spa, second.refresh_token!);
      const seen = new Set([first.refresh_token, second.refresh_token, third.refresh_token]);
      assert.equal(seen.size, 3, 'each refresh returns a refresh token never seen before');
      assert.equal((await introspect(rp.spa, third.refresh_token!)).active, true);
      assert.equal((await introspect(rp.spa, first.refresh_token!)).active, false, 'a rotated token is no longer active');
    });

    test('reusing a rotated refresh token fails and revokes the whole grant', async () => {
      const first = await signIn(server, rp.spa, offline.scope, { params: offline.params });
      const sub = first.claims()!.sub;
      const second = await oidc.refreshTokenGrant(rp.spa, first.refresh_token!);
      const newest = await oidc.refreshTokenGrant(rp.spa, second.refresh_token!);
      assert.equal((await introspect(rp.spa, newest.access_token)).active, true);

      assert.equal(await oauthError(oidc.refreshTokenGrant(rp.spa, first.refresh_token!)), 'invalid_grant');

      assert.equal((await introspect(rp.spa, newest.refresh_token!)).active, false, 'the newest refresh token is revoked');
      assert.equal((await introspect(rp.spa, newest.access_token)).active, false, 'the newest access token is revoked');
      await assert.rejects(oidc.fetchUserInfo(rp.spa, newest.access_token, sub), 'userinfo refuses the revoked access token');
      assert.equal(await oauthError(oidc.refreshTokenGrant(rp.spa, newest.refresh_token!)), 'invalid_grant');
    });
  });
}
