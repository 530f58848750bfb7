import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isGatehouseError } from '../../../src/errors/gatehouse-error.js';
import { redirectUri } from '../../helpers/applications.js';
import { startServer } from '../../helpers/start-server.js';
import { scopes, webApp } from './fixtures.js';

/** The message of a start refused for its configuration file. */
async function refusedStart(applications: unknown[], declaredScopes: unknown[] = scopes): Promise<string> {
  try {
    const server = await startServer({ declarations: { scopes: declaredScopes, applications } });
    await server.close();
  } catch (error) {
    assert.ok(isGatehouseError(error), `expected a GatehouseError, got ${String(error)}`);
    assert.equal(error.code, 'config_invalid');
    return error.message;
  }
  throw new Error('the start succeeded with an invalid application');
}

// Declarations are checked before anything is stored; one dialect shows it.
describe('an application declares exactly the modes it gets', () => {
  test('a response type without the grant it needs is refused, naming the application and the field', async () => {
    const message = await refusedStart([webApp('spa', { grant_types: ['authorization_code'], response_types: ['code', 'id_token token'] })]);
    assert.match(message, /applications\[0\] \("spa"\)\.grant_types/);
    assert.match(message, /response type "id_token token" needs the "implicit" grant type/);
  });

  test('a grant without any response type that uses it is refused', async () => {
    const message = await refusedStart([webApp('spa', { grant_types: ['authorization_code', 'implicit'], response_types: ['code'] })]);
    assert.match(message, /applications\[0\] \("spa"\)\.response_types/);
    assert.match(message, /"implicit" grant type needs a response type with "id_token" or "token"/);
  });

  test('client credentials with no client authentication is refused', async () => {
    const message = await refusedStart([{ client_id: 'robot', grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' }]);
    assert.match(message, /\("robot"\)\.token_endpoint_auth_method/);
  });

  test('private_key_jwt without the application\'s keys is refused', async () => {
    const message = await refusedStart([{ client_id: 'robot', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' }]);
    assert.match(message, /"private_key_jwt" needs the application's public keys in "jwks" or "jwks_uri"/);
  });

  test('id_token_claims_scopes must name scopes the application may request and the server knows', async () => {
    const outside = await refusedStart([webApp('intranet', { scope: 'openid profile', id_token_claims_scopes: ['employee'] })]);
    assert.match(outside, /\("intranet"\): id_token_claims_scopes: "employee" is not in the application's scope/);
    const unknown = await refusedStart([webApp('intranet', { id_token_claims_scopes: ['payroll'] })]);
    assert.match(unknown, /\("intranet"\): id_token_claims_scopes: "payroll" is not a scope this server knows/);
  });

  test('a custom scope may not take the name of a standard one, Gatehouse\'s groups included', async () => {
    for (const name of ['openid', 'offline_access', 'groups']) {
      const message = await refusedStart([], [{ name, description: 'Something else', claims: ['team'] }]);
      assert.match(message, new RegExp(`scopes\\[0\\] \\("${name}"\\)\\.name: is a standard scope and cannot be redefined`), name);
    }
  });

  test('implicit and hybrid modes need https redirect URIs for web applications (the engine\'s rule, named)', async () => {
    const message = await refusedStart([webApp('spa', { grant_types: ['implicit'], response_types: ['id_token'], redirect_uris: ['http://spa.example.test/cb'] })]);
    assert.match(message, /"spa"/);
    assert.match(message, /implicit flow MUST only register URLs using the https scheme/);
  });

  test('an application with only client credentials needs no redirect URI: its response types default to none', async () => {
    const server = await startServer({
      declarations: { scopes, applications: [{ client_id: 'robot', client_secret: 'robot-secret-0123456789-0123456789-01', grant_types: ['client_credentials'] }] },
    });
    try {
      const response = await fetch(`${server.issuer}/auth?client_id=robot&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}`);
      assert.equal(response.status, 400, 'no response type, hence no redirect URI to send anything to');
    } finally {
      await server.close();
    }
  });
});
