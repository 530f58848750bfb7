import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { secretOf } from '../../helpers/applications.js';
import { expectPage, type Browser } from '../../helpers/browser.js';
import { authorizationUrl, signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { allModes, employeeScope, scopes, users, webApp } from './fixtures.js';
import { fragmentOf, verifyIdToken } from './steps.js';

const declarations = {
  users,
  scopes,
  applications: [
    webApp('plain', allModes),
    webApp('intranet', { scope: 'openid profile employee', id_token_claims_scopes: ['employee'] }),
    webApp('limited', { scope: 'openid profile' }),
    { client_id: 'm2m', client_secret: secretOf('m2m'), grant_types: ['client_credentials'], scope: 'reports:read' },
  ],
};

for (const dialect of dialects) {
  describe(`custom scopes (${dialect})`, () => {
    let server: TestServer;
    let browser: Browser;
    const rp: Record<string, oidc.Configuration> = {};

    before(async () => {
      server = await startServer({ declarations, dialect });
      for (const clientId of ['plain', 'intranet', 'limited', 'm2m']) {
        rp[clientId] = await oidc.discovery(new URL(server.issuer), clientId, secretOf(clientId), undefined, insecure);
      }
      browser = newBrowser(server);
    });
    after(() => server?.close());

    /** The code flow in the browser that stays signed in, so that each scope is consented to once. */
    const codeFlow = (clientId: string, scope: string, params: Record<string, string> = {}) => signIn(server, rp[clientId]!, scope, { params, browser });

    test('the consent page describes the custom scope in its own words', async () => {
      const fresh = newBrowser(server);
      const login = expectPage(await fresh.get(authorizationUrl(server, { client_id: 'plain', response_type: 'code', scope: 'openid employee' }).toString()));
      const consent = expectPage(await fresh.submit(login, 'form[action$="/login"]', alice));
      assert.ok(consent.document.querySelector('form[action$="/consent"]'), 'the consent page is shown');
      assert.match(consent.document.querySelector('.scopes')!.text, new RegExp(employeeScope.description));
    });

    test('the employee scope delivers department and employee_id from the user\'s attributes through userinfo', async () => {
      const tokens = await codeFlow('plain', 'openid employee');
      const userinfo = await oidc.fetchUserInfo(rp.plain!, tokens.access_token, tokens.claims()!.sub);
      assert.equal(userinfo.department, 'Research');
      assert.equal(userinfo.employee_id, 'E-1024');
      assert.equal(userinfo.badge_colour, undefined, 'an attribute no granted scope names stays private');
      assert.equal(userinfo.name, undefined);
    });

    test('without the scope, userinfo does not carry its claims', async () => {
      const tokens = await codeFlow('plain', 'openid profile');
      const userinfo = await oidc.fetchUserInfo(rp.plain!, tokens.access_token, tokens.claims()!.sub);
      assert.equal(userinfo.name, 'Alice Liddell');
      assert.equal(userinfo.department, undefined);
      assert.equal(userinfo.employee_id, undefined);
    });

    test('an id_token carries a custom claim only when asked: by default not at all', async () => {
      const tokens = await codeFlow('plain', 'openid employee');
      const claims = tokens.claims()!;
      assert.equal(claims.department, undefined);
      assert.equal(claims.employee_id, undefined);
      assert.equal(typeof claims.auth_time, 'number');
    });

    test('the claims parameter puts a named custom claim in the id_token', async () => {
      const tokens = await codeFlow('plain', 'openid employee', { claims: JSON.stringify({ id_token: { department: null } }) });
      const claims = await verifyIdToken(server, tokens.id_token!, { audience: 'plain' });
      assert.equal(claims.department, 'Research');
      assert.equal(claims.employee_id, undefined, 'only the claim asked for');
    });

    test('an application listing the scope in id_token_claims_scopes gets its claims in every id_token', async () => {
      const tokens = await codeFlow('intranet', 'openid profile employee');
      const claims = await verifyIdToken(server, tokens.id_token!, { audience: 'intranet' });
      assert.equal(claims.department, 'Research');
      assert.equal(claims.employee_id, 'E-1024');
      assert.equal(claims.name, undefined, 'profile is not listed, so its claims stay in userinfo');
    });

    test('an id_token alone from the authorization endpoint carries the granted claims (OpenID Connect Core §5.4)', async () => {
      const response = fragmentOf(await callbackFor(browser, authorizationUrl(server, { client_id: 'plain', response_type: 'id_token', scope: 'openid employee', nonce: 'n' })));
      const claims = await verifyIdToken(server, response.get('id_token')!, { audience: 'plain' });
      assert.equal(claims.department, 'Research');
      assert.equal(claims.employee_id, 'E-1024');
    });

    test('the application\'s scope limits the authorization endpoint: anything else is invalid_scope', async () => {
      const callback = await callbackFor(browser, authorizationUrl(server, { client_id: 'limited', response_type: 'code', scope: 'openid employee', state: 's' }));
      assert.equal(callback.searchParams.get('error'), 'invalid_scope');
      assert.equal(callback.searchParams.get('state'), 's');
      const allowed = await codeFlow('limited', 'openid profile');
      assert.ok(allowed.access_token);
    });

    test('the application\'s scope limits client credentials: anything else is invalid_scope', async () => {
      assert.equal(await oauthError(oidc.clientCredentialsGrant(rp.m2m!, { scope: 'employee' })), 'invalid_scope');
      assert.equal((await oidc.clientCredentialsGrant(rp.m2m!, { scope: 'reports:read' })).scope, 'reports:read');
    });

    test('discovery advertises exactly what is enabled, custom scopes and claims included', async () => {
      const metadata = rp.plain!.serverMetadata();
      const sorted = (values: unknown) => [...(values as string[])].sort();
      assert.deepEqual(sorted(metadata.grant_types_supported), ['authorization_code', 'client_credentials', 'implicit', 'password', 'refresh_token']);
      assert.deepEqual(sorted(metadata.response_types_supported), ['code', 'code id_token', 'code id_token token', 'code token', 'id_token', 'id_token token']);
      assert.deepEqual(sorted(metadata.response_modes_supported), ['form_post', 'fragment', 'query']);
      assert.deepEqual(sorted(metadata.token_endpoint_auth_methods_supported), ['client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'none', 'private_key_jwt']);
      assert.deepEqual(sorted(metadata.id_token_signing_alg_values_supported), ['ES256', 'EdDSA', 'HS256', 'RS256']);
      assert.deepEqual(sorted(metadata.scopes_supported), ['address', 'email', 'employee', 'gatehouse:manage', 'groups', 'offline_access', 'openid', 'phone', 'profile', 'reports:read']);
      for (const claim of ['sub', 'auth_time', 'name', 'email', 'groups', 'department', 'employee_id']) {
        assert.ok(metadata.claims_supported?.includes(claim), claim);
      }
      assert.equal(metadata.claims_supported?.includes('badge_colour'), false, 'an attribute no scope names is not a claim');
      assert.equal(metadata.claims_parameter_supported, true);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    });

    test('a custom scope stays in the database when the configuration file no longer declares it', async () => {
      await server.restart({ declarations: { ...declarations, scopes: [] } });
      const config = await oidc.discovery(new URL(server.issuer), 'intranet', secretOf('intranet'), undefined, insecure);
      assert.ok(config.serverMetadata().scopes_supported?.includes('employee'));
      rp.intranet = config;
      const tokens = await codeFlow('intranet', 'openid employee');
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      assert.equal(userinfo.employee_id, 'E-1024');
    });
  });
}
