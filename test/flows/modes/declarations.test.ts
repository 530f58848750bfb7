import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redirectUri } from '../../helpers/applications.js';
import { configRefusal } from '../../helpers/config-refusal.js';
import { startServer } from '../../helpers/start-server.js';
import { scopes, webApp } from './fixtures.js';

/** The message of a start refused for its applications. */
const refusedStart = (applications: unknown[]) => configRefusal(async () => (await startServer({ declarations: { scopes, applications } })).close());

/*
 * What the file's schema refuses is test/unit/parse-declarations.test.ts. These rules are the
 * engine's client validation, which only a starting server runs. Declarations are checked
 * before anything is stored; one dialect shows it.
 */
describe('an application declares exactly the modes it gets', () => {
  test('id_token_claims_scopes must name scopes the application may request and the server knows', async () => {
    const outside = await refusedStart([webApp('intranet', { scope: 'openid profile', id_token_claims_scopes: ['employee'] })]);
    assert.match(outside, /\("intranet"\): id_token_claims_scopes: "employee" is not in the application's scope/);
    const unknown = await refusedStart([webApp('intranet', { id_token_claims_scopes: ['payroll'] })]);
    assert.match(unknown, /\("intranet"\): id_token_claims_scopes: "payroll" is not a scope this server knows/);
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
