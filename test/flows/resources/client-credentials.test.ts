/*
 * Access tokens for API resources through the client credentials grant, over HTTP on the real
 * server: a `resource` gets a JWT for that API alone (RFC 8707, RFC 9068), verified as an API
 * verifies it, with the API's algorithm and lifetime and the scopes both the API and the
 * application allow; an unknown or malformed resource is invalid_target; without one the token
 * stays opaque, as before API resources existed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, endpointBase, postForm } from '../../helpers/token-endpoint.js';
import { archive, baseDeclarations, clientCredentials, introspect, ledger, looksLikeJwt, orders, verifyAccessToken } from './steps.js';

for (const dialect of dialects) {
  describe(`API resources: client credentials (${dialect})`, () => {
    let server: TestServer;

    before(async () => {
      server = await startServer({ dialect, declarations: baseDeclarations });
    });
    after(() => server?.close());

    test('a resource signed with RS256 gets a JWT for it: typ at+jwt, aud, iss, client_id, scope, exp from the default lifetime', async () => {
      const answer = await clientCredentials(server, 'machine', { scope: 'orders:read orders:write', resource: orders.identifier });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const token = answer.body.access_token as string;
      assert.ok(looksLikeJwt(token));
      const { alg, payload } = await verifyAccessToken(server, token, orders.identifier);
      assert.equal(alg, 'RS256');
      assert.equal(payload.aud, orders.identifier);
      assert.equal(payload.client_id, 'machine');
      assert.equal(payload.sub, 'machine', 'a client credentials token is about the application itself (RFC 9068 §2.2)');
      assert.equal(payload.scope, 'orders:read orders:write');
      assert.equal(payload.exp! - payload.iat!, 600, 'ten minutes: defaults.resources.accessTokenTtlSeconds');
      assert.equal(answer.body.expires_in, 600);
      assert.equal(answer.body.scope, 'orders:read orders:write');
    });

    test('a resource signed with ES256 gets an ES256 JWT living the resource\'s own lifetime', async () => {
      const answer = await clientCredentials(server, 'machine', { scope: 'ledger:read', resource: ledger.identifier });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { alg, payload } = await verifyAccessToken(server, answer.body.access_token as string, ledger.identifier);
      assert.equal(alg, 'ES256');
      assert.equal(payload.scope, 'ledger:read');
      assert.equal(payload.exp! - payload.iat!, 120);
      assert.equal(answer.body.expires_in, 120);
    });

    test('scopes are narrowed to the resource\'s: other APIs\' and OpenID Connect\'s are left out', async () => {
      const answer = await clientCredentials(server, 'machine', { scope: 'openid orders:read ledger:read unknown', resource: orders.identifier });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { payload } = await verifyAccessToken(server, answer.body.access_token as string, orders.identifier);
      assert.equal(payload.scope, 'orders:read');
    });

    test('an application limited by its scope gets no resource scope outside it', async () => {
      const own = await clientCredentials(server, 'reader', { scope: 'orders:read', resource: orders.identifier });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal((await verifyAccessToken(server, own.body.access_token as string, orders.identifier)).payload.scope, 'orders:read');
      const beyond = await clientCredentials(server, 'reader', { scope: 'orders:read orders:write', resource: orders.identifier });
      assert.equal(beyond.status, 400);
      assert.equal(beyond.body.error, 'invalid_scope', 'as for any scope outside its own (src/oidc/grants/requested-scopes.ts)');
      const unasked = await clientCredentials(server, 'reader', { resource: orders.identifier });
      assert.equal(unasked.status, 200, JSON.stringify(unasked.body));
      assert.equal((await verifyAccessToken(server, unasked.body.access_token as string, orders.identifier)).payload.scope, undefined, 'asking for none gives none');
    });

    test('without a resource an API\'s scope is left out of the token, as an unknown scope is', async () => {
      const answer = await clientCredentials(server, 'machine', { scope: 'orders:write archive:read' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.scope, undefined);
      const seen = await introspect(server, 'machine', answer.body.access_token as string);
      assert.equal(seen.scope, undefined, 'an opaque token without an audience carries no API\'s scope');
    });

    test('an application limited by its scope to none of an API\'s scopes gets no token for that API', async () => {
      const answer = await clientCredentials(server, 'reader', { resource: ledger.identifier });
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.error, 'invalid_target');
      assert.match(String(answer.body.error_description), /"reader" may have none of the scopes of "urn:example:ledger"|may have none of the scopes/);
    });

    test('an unknown resource, a relative one and one with a fragment are invalid_target', async () => {
      for (const resource of ['https://unknown.example.test', 'orders', `${orders.identifier}#part`]) {
        const answer = await clientCredentials(server, 'machine', { scope: 'orders:read', resource });
        assert.equal(answer.status, 400, resource);
        assert.equal(answer.body.error, 'invalid_target', resource);
      }
      const two = new URLSearchParams({ grant_type: 'client_credentials', scope: 'orders:read' });
      two.append('resource', orders.identifier);
      two.append('resource', ledger.identifier);
      const response = await fetch(`${endpointBase(server)}/token`, {
        method: 'POST', body: two, headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth('machine', secretOf('machine')) },
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_target', 'one API per token');
    });

    test('discovery lists the APIs\' scopes among those an application may name', async () => {
      const discovery = (await (await fetch(`${endpointBase(server)}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
      for (const name of ['orders:read', 'orders:write', 'ledger:read', 'archive:read']) assert.ok(discovery.scopes_supported.includes(name), name);
    });

    test('without a resource the token stays opaque, without an audience', async () => {
      const answer = await clientCredentials(server, 'machine', {});
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const token = answer.body.access_token as string;
      assert.ok(!looksLikeJwt(token));
      assert.equal(answer.body.expires_in, 600, 'defaults.ttl.clientCredentials');
      const seen = await introspect(server, 'machine', token);
      assert.equal(seen.active, true);
      assert.equal(seen.aud, undefined);
    });

    test('an opaque resource gets an opaque token that introspection shows for the API; a JWT one is neither introspected nor revoked', async () => {
      const answer = await clientCredentials(server, 'machine', { scope: 'archive:read', resource: archive.identifier });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const token = answer.body.access_token as string;
      assert.ok(!looksLikeJwt(token));
      const seen = await introspect(server, 'machine', token);
      assert.equal(seen.active, true);
      assert.equal(seen.aud, archive.identifier);
      assert.equal(seen.scope, 'archive:read');
      assert.equal(seen.client_id, 'machine');
      const jwt = (await clientCredentials(server, 'machine', { scope: 'orders:read', resource: orders.identifier })).body.access_token as string;
      for (const endpoint of ['token/introspection', 'token/revocation']) {
        const refused = await postForm(server, endpoint, { token: jwt }, basicAuth('machine', secretOf('machine')));
        assert.equal(refused.status, 400, endpoint);
        assert.equal(((await refused.json()) as { error: string }).error, 'unsupported_token_type', `a JWT is verified by the API, never introspected or revoked: ${endpoint}`);
      }
    });
  });
}
