import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import type { Browser } from '../../helpers/browser.js';
import { authorizationUrl } from '../../helpers/code-flow.js';
import { protocolDialects } from '../../helpers/databases.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { allModes, allResponseTypes, scopes, users, webApp } from './fixtures.js';
import { fragmentOf, leftHalfHash, verifyIdToken } from './steps.js';

const declarations = {
  users,
  scopes,
  applications: [
    webApp('all-modes', allModes),
    webApp('code-only', { grant_types: ['authorization_code', 'refresh_token'] }),
    webApp('implicit-only', { grant_types: ['implicit'], response_types: ['id_token', 'id_token token'], token_endpoint_auth_method: 'none' }),
  ],
};

for (const dialect of protocolDialects) {
  describe(`response types: code, implicit and hybrid (${dialect})`, () => {
    let server: TestServer;
    let browser: Browser;
    let allModesRp: oidc.Configuration;
    let hybridRp: oidc.Configuration;

    before(async () => {
      server = await startServer({ declarations, dialect });
      allModesRp = await oidc.discovery(new URL(server.issuer), 'all-modes', secretOf('all-modes'), undefined, insecure);
      hybridRp = await oidc.discovery(new URL(server.issuer), 'all-modes', secretOf('all-modes'), undefined, {
        execute: [oidc.allowInsecureRequests, oidc.useCodeIdTokenResponseType],
      });
      // One signed-in browser that has granted each application openid and profile.
      browser = newBrowser(server);
      for (const [clientId, responseType] of [['all-modes', 'code'], ['code-only', 'code'], ['implicit-only', 'id_token']]) {
        await callbackFor(browser, authorizationUrl(server, { client_id: clientId!, response_type: responseType!, scope: 'openid profile', nonce: 'n' }));
      }
    });
    after(() => server?.close());

    /** The callback for an authorization request by all-modes, signed in already. */
    function respond(params: Record<string, string>) {
      return callbackFor(browser, authorizationUrl(server, { client_id: 'all-modes', scope: 'openid profile', state: 'st-1', ...params }));
    }

    test('code: the code comes in the query, openid-client redeems it for a verified id_token', async () => {
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(allModesRp, { redirect_uri: redirectUri, scope: 'openid profile', state, nonce });
      const callback = await callbackFor(browser, url);
      assert.ok(callback.searchParams.get('code'));
      assert.equal(callback.hash, '');
      const tokens = await oidc.authorizationCodeGrant(allModesRp, callback, { expectedState: state, expectedNonce: nonce });
      assert.equal(tokens.claims()?.aud, 'all-modes');
      assert.equal(tokens.claims()?.nonce, nonce);
    });

    test('id_token: a signed id_token in the fragment, with the profile claims since no access token comes with it', async () => {
      const callback = await respond({ response_type: 'id_token', nonce: 'nonce-id-token' });
      assert.equal(callback.search, '', 'nothing in the query: fragment is the default response mode');
      const response = fragmentOf(callback);
      assert.equal(response.get('state'), 'st-1');
      assert.equal(response.get('access_token'), null);
      assert.equal(response.get('code'), null);
      const claims = await verifyIdToken(server, response.get('id_token')!, { audience: 'all-modes' });
      assert.equal(claims.nonce, 'nonce-id-token');
      assert.equal(claims.name, 'Alice Liddell');
      assert.equal(claims.at_hash, undefined);
      assert.equal(claims.c_hash, undefined);
    });

    test('id_token token: an access token and an id_token whose at_hash matches it', async () => {
      const response = fragmentOf(await respond({ response_type: 'id_token token', nonce: 'nonce-it' }));
      const accessToken = response.get('access_token')!;
      assert.ok(accessToken);
      assert.equal(response.get('token_type'), 'Bearer');
      assert.ok(Number(response.get('expires_in')) > 0);
      assert.equal(response.get('refresh_token'), null);
      const claims = await verifyIdToken(server, response.get('id_token')!, { audience: 'all-modes' });
      assert.equal(claims.nonce, 'nonce-it');
      assert.equal(claims.at_hash, leftHalfHash(accessToken, 'RS256'));
      assert.equal(claims.name, undefined, 'profile claims come from userinfo when an access token is issued');
      const userinfo = await oidc.fetchUserInfo(allModesRp, accessToken, claims.sub!);
      assert.equal(userinfo.name, 'Alice Liddell');
    });

    test('code id_token: openid-client completes the hybrid flow; c_hash matches the code', async () => {
      const hybrid = hybridRp;
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(hybrid, { redirect_uri: redirectUri, scope: 'openid profile', state, nonce });
      assert.equal(url.searchParams.get('response_type'), 'code id_token');
      const callback = await callbackFor(browser, url);
      const response = fragmentOf(callback);
      const early = await verifyIdToken(server, response.get('id_token')!, { audience: 'all-modes' });
      assert.equal(early.c_hash, leftHalfHash(response.get('code')!, 'RS256'));
      assert.equal(early.nonce, nonce);
      const tokens = await oidc.authorizationCodeGrant(hybrid, callback, { expectedState: state, expectedNonce: nonce });
      assert.equal(tokens.claims()?.sub, early.sub);
      assert.ok(tokens.access_token);
    });

    test('code token: a code and an access token from the authorization endpoint; the code redeems for an id_token', async () => {
      const response = fragmentOf(await respond({ response_type: 'code token' }));
      assert.ok(response.get('access_token'));
      assert.equal(response.get('id_token'), null);
      const code = response.get('code')!;
      // The application's back end receives the code and redeems it as in the code flow.
      const backChannel = new URL(redirectUri);
      for (const name of ['code', 'state', 'iss']) backChannel.searchParams.set(name, response.get(name)!);
      const tokens = await oidc.authorizationCodeGrant(allModesRp, backChannel, { expectedState: 'st-1' });
      assert.ok(code && tokens.id_token);
      assert.equal(tokens.claims()?.aud, 'all-modes');
    });

    test('code id_token token: both at_hash and c_hash are correct', async () => {
      const response = fragmentOf(await respond({ response_type: 'code id_token token', nonce: 'nonce-cit' }));
      const claims = await verifyIdToken(server, response.get('id_token')!, { audience: 'all-modes' });
      assert.equal(claims.at_hash, leftHalfHash(response.get('access_token')!, 'RS256'));
      assert.equal(claims.c_hash, leftHalfHash(response.get('code')!, 'RS256'));
      assert.equal(claims.nonce, 'nonce-cit');
    });

    test('a nonce is required whenever the authorization endpoint returns an id_token', async () => {
      for (const responseType of ['id_token', 'id_token token', 'code id_token', 'code id_token token']) {
        const response = fragmentOf(await respond({ response_type: responseType }));
        assert.equal(response.get('error'), 'invalid_request', responseType);
        assert.match(response.get('error_description') ?? '', /nonce/, responseType);
        assert.equal(response.get('id_token'), null);
      }
      // Without an id_token from the authorization endpoint no nonce is needed.
      assert.ok(fragmentOf(await respond({ response_type: 'code token' })).get('code'));
    });

    test('tokens are never put in the query: response_mode=query is refused for the implicit and hybrid types', async () => {
      const callback = await respond({ response_type: 'id_token token', nonce: 'n', response_mode: 'query' });
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.equal(callback.searchParams.get('access_token'), null);
      assert.equal(fragmentOf(callback).get('access_token'), null);
    });

    test('implicit never gets a refresh token, even with offline_access and prompt=consent', async () => {
      const response = fragmentOf(await respond({ response_type: 'id_token token', nonce: 'n', scope: 'openid offline_access', prompt: 'consent' }));
      assert.ok(response.get('access_token'));
      assert.equal(response.get('refresh_token'), null);
      assert.doesNotMatch(response.get('scope') ?? '', /offline_access/);
    });

    test('the hybrid code redeems for a refresh token when offline_access was granted with prompt=consent', async () => {
      const callback = await respond({ response_type: 'code id_token', nonce: 'n-offline', scope: 'openid offline_access', prompt: 'consent' });
      const tokens = await oidc.authorizationCodeGrant(hybridRp, callback, { expectedState: 'st-1', expectedNonce: 'n-offline' });
      assert.ok(tokens.refresh_token);
      assert.match(tokens.scope ?? '', /offline_access/);
    });

    test('an application is refused every response type it has not enabled, with unauthorized_client', async () => {
      for (const responseType of allResponseTypes.filter((type) => type !== 'code')) {
        const callback = await callbackFor(browser, authorizationUrl(server, { client_id: 'code-only', response_type: responseType, scope: 'openid', nonce: 'n', state: 's' }));
        const response = fragmentOf(callback);
        assert.equal(response.get('error'), 'unauthorized_client', responseType);
        assert.equal(response.get('state'), 's');
      }
      for (const responseType of ['code', 'code id_token', 'code token', 'code id_token token']) {
        const callback = await callbackFor(browser, authorizationUrl(server, { client_id: 'implicit-only', response_type: responseType, scope: 'openid', nonce: 'n' }));
        const error = callback.searchParams.get('error') ?? fragmentOf(callback).get('error');
        assert.equal(error, 'unauthorized_client', responseType);
      }
    });

    test('a response type the server does not offer is unsupported_response_type', async () => {
      for (const responseType of ['token', 'none']) {
        const callback = await callbackFor(browser, authorizationUrl(server, { client_id: 'all-modes', response_type: responseType, scope: 'openid' }));
        const error = callback.searchParams.get('error') ?? fragmentOf(callback).get('error');
        assert.equal(error, 'unsupported_response_type', responseType);
      }
    });

    test('an implicit-only public application signs in with id_token token', async () => {
      const callback = await callbackFor(browser, authorizationUrl(server, { client_id: 'implicit-only', response_type: 'id_token token', scope: 'openid', nonce: 'spa-n' }));
      const response = fragmentOf(callback);
      const claims = await verifyIdToken(server, response.get('id_token')!, { audience: 'implicit-only' });
      assert.equal(claims.at_hash, leftHalfHash(response.get('access_token')!, 'RS256'));
      assert.equal(claims.nonce, 'spa-n');
    });
  });
}
