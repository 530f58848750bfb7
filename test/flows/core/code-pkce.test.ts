import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri } from '../../helpers/applications.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { coreDeclarations } from './fixtures.js';
import { discoverRelyingParties } from './steps.js';

for (const dialect of dialects) {
  describe(`authorization code + PKCE (${dialect})`, () => {
    let server: TestServer;
    let spa: oidc.Configuration;
    let web: oidc.Configuration;

    before(async () => {
      server = await startServer({ declarations: coreDeclarations, dialect });
      ({ spa, web } = await discoverRelyingParties(server));
    });
    after(() => server?.close());

    test('discovery names the issuer under /oidc and the default endpoints', () => {
      const metadata = spa.serverMetadata();
      assert.equal(metadata.issuer, server.issuer);
      assert.equal(metadata.authorization_endpoint, `${server.issuer}/auth`);
      assert.equal(metadata.token_endpoint, `${server.issuer}/token`);
      assert.equal(metadata.userinfo_endpoint, `${server.issuer}/me`);
      assert.equal(metadata.jwks_uri, `${server.issuer}/jwks`);
      assert.equal(metadata.end_session_endpoint, `${server.issuer}/session/end`);
      assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    });

    test('a public client completes code + PKCE and gets a signed id_token', async () => {
      const tokens = await signIn(server, spa, 'openid profile');
      const claims = tokens.claims()!;
      assert.equal(claims.iss, server.issuer);
      assert.equal(claims.aud, 'spa');
      assert.equal(typeof claims.sub, 'string');
      assert.deepEqual(claims.amr, ['pwd'], 'the id_token says the user signed in with a password (RFC 8176)');
      assert.ok(tokens.access_token);
      assert.equal(tokens.refresh_token, undefined, 'no refresh token without offline_access');
    });

    test('userinfo releases claims by scope, plus groups', async () => {
      const narrow = await signIn(server, web, 'openid email');
      const sub = narrow.claims()!.sub;
      const emailOnly = await oidc.fetchUserInfo(web, narrow.access_token, sub);
      assert.equal(emailOnly.email, 'alice@example.com');
      assert.equal(emailOnly.email_verified, true);
      assert.equal(emailOnly.name, undefined);
      assert.equal(emailOnly.phone_number, undefined);

      const wide = await signIn(server, web, 'openid profile email phone address groups');
      const everything = await oidc.fetchUserInfo(web, wide.access_token, sub);
      assert.equal(everything.name, 'Alice Liddell');
      assert.equal(everything.preferred_username, 'Alice');
      assert.equal(everything.phone_number, '+44 20 7946 0000');
      assert.deepEqual(everything.address, { locality: 'Oxford', country: 'GB' });
      assert.deepEqual(everything.groups, ['staff', 'readers']);
    });

    test('a public client without PKCE is refused', async () => {
      const url = oidc.buildAuthorizationUrl(spa, { redirect_uri: redirectUri, scope: 'openid' });
      const result = await newBrowser(server).get(url.toString());
      assert.ok('redirectedTo' in result);
      const params = new URL(result.redirectedTo).searchParams;
      assert.equal(params.get('error'), 'invalid_request');
      assert.match(params.get('error_description') ?? '', /PKCE/);
    });
  });
}
