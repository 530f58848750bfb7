import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import type { Browser } from '../../helpers/browser.js';
import { authorizationUrl, signIn } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { scopes, users, webApp } from './fixtures.js';
import { fragmentOf } from './steps.js';

const declarations = {
  users,
  scopes,
  applications: [
    webApp('code-web', { grant_types: ['authorization_code', 'refresh_token'] }),
    webApp('code-no-refresh', { grant_types: ['authorization_code'] }),
    webApp('implicit-only', { grant_types: ['implicit'], response_types: ['id_token token'] }),
    { client_id: 'm2m', client_secret: secretOf('m2m'), grant_types: ['client_credentials'], scope: 'reports:read' },
    { client_id: 'legacy', client_secret: secretOf('legacy'), grant_types: ['password'] },
  ],
};

for (const dialect of protocolDialects) {
  describe(`grant types: each works where enabled and is refused elsewhere (${dialect})`, () => {
    let server: TestServer;
    let browser: Browser;
    const rp: Record<string, oidc.Configuration> = {};

    before(async () => {
      server = await startServer({ declarations, dialect });
      for (const clientId of ['code-web', 'code-no-refresh', 'implicit-only', 'm2m', 'legacy']) {
        rp[clientId] = await oidc.discovery(new URL(server.issuer), clientId, secretOf(clientId), undefined, insecure);
      }
      browser = newBrowser(server);
    });
    after(() => server?.close());

    /** A token request authenticated as the application (client_secret_basic). */
    const tokenRequest = (clientId: string, fields: Record<string, string>) => postToken(server, fields, basicAuth(clientId, secretOf(clientId)));

    const codeFlow = (clientId: string, scope: string, params: Record<string, string> = {}) => signIn(server, rp[clientId]!, scope, { params, browser });

    test('authorization_code works for an application that has it', async () => {
      const tokens = await codeFlow('code-web', 'openid');
      assert.ok(tokens.access_token && tokens.id_token);
    });

    test('authorization_code is refused to an application without it, at both endpoints', async () => {
      const callback = await callbackFor(browser, authorizationUrl(server, { client_id: 'implicit-only', response_type: 'code', scope: 'openid' }));
      assert.equal(callback.searchParams.get('error'), 'unauthorized_client');
      const token = await tokenRequest('m2m', { grant_type: 'authorization_code', code: 'any-code', redirect_uri: redirectUri });
      assert.equal(token.status, 400);
      assert.equal(token.body.error, 'unauthorized_client');
    });

    test('implicit works for an application that has it', async () => {
      const response = fragmentOf(await callbackFor(browser, authorizationUrl(server, {
        client_id: 'implicit-only', response_type: 'id_token token', scope: 'openid', nonce: 'n',
      })));
      assert.ok(response.get('access_token') && response.get('id_token'));
    });

    test('implicit is refused to an application without it, and is no token endpoint grant', async () => {
      const response = fragmentOf(await callbackFor(browser, authorizationUrl(server, {
        client_id: 'code-web', response_type: 'id_token token', scope: 'openid', nonce: 'n',
      })));
      assert.equal(response.get('error'), 'unauthorized_client');
      assert.equal(response.get('access_token'), null);
      const token = await tokenRequest('implicit-only', { grant_type: 'implicit' });
      assert.equal(token.body.error, 'unsupported_grant_type');
    });

    test('refresh_token works for an application that has it', async () => {
      const tokens = await codeFlow('code-web', 'openid offline_access', { prompt: 'consent' });
      assert.ok(tokens.refresh_token);
      const refreshed = await oidc.refreshTokenGrant(rp['code-web']!, tokens.refresh_token);
      assert.ok(refreshed.access_token);
      assert.equal(refreshed.claims()?.sub, tokens.claims()?.sub);
    });

    test('refresh_token is refused to an application without it: no refresh token issued, the grant unauthorized', async () => {
      const tokens = await codeFlow('code-no-refresh', 'openid offline_access', { prompt: 'consent' });
      assert.equal(tokens.refresh_token, undefined);
      assert.doesNotMatch(tokens.scope ?? '', /offline_access/);
      const token = await tokenRequest('code-no-refresh', { grant_type: 'refresh_token', refresh_token: 'any-refresh-token' });
      assert.equal(token.body.error, 'unauthorized_client');
    });

    test('client_credentials works for an application that has it', async () => {
      const tokens = await oidc.clientCredentialsGrant(rp.m2m!, { scope: 'reports:read' });
      assert.equal(tokens.scope, 'reports:read');
    });

    test('client_credentials is refused to an application without it', async () => {
      assert.equal(await oauthError(oidc.clientCredentialsGrant(rp['code-web']!)), 'unauthorized_client');
    });

    test('password works for an application that has it', async () => {
      const token = await tokenRequest('legacy', { grant_type: 'password', username: alice.username, password: alice.password, scope: 'openid' });
      assert.equal(token.status, 200);
      assert.ok(token.body.access_token && token.body.id_token);
    });

    test('password is refused to an application without it, before any password is checked', async () => {
      for (const clientId of ['code-web', 'm2m']) {
        const token = await tokenRequest(clientId, { grant_type: 'password', username: alice.username, password: 'not alices password', scope: 'openid' });
        assert.equal(token.status, 400);
        assert.equal(token.body.error, 'unauthorized_client', clientId);
        assert.equal(token.body.access_token, undefined);
      }
      // A checked wrong password would have left a failure on alice's account counter.
      const storage = server.openStorage();
      try {
        const accountCounters = await storage.db.selectFrom('attempt_counters').select('key').where('key', 'like', 'account:%').execute();
        assert.deepEqual(accountCounters, []);
      } finally {
        await storage.close();
      }
    });
  });
}
