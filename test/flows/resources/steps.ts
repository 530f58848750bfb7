import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { alice } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { basicAuth, endpointBase, postForm, postToken, type TokenAnswer } from '../../helpers/token-endpoint.js';

/** An API whose tokens are JWTs signed with RS256 (the default algorithm and format). */
export const orders = {
  identifier: 'https://orders.example.test',
  name: 'Orders API',
  scopes: [{ name: 'orders:read', description: 'Read your orders' }, { name: 'orders:write', description: 'Place orders' }],
};
/** A URN-named API signed with ES256 and a lifetime of its own. */
export const ledger = {
  identifier: 'urn:example:ledger',
  name: 'Ledger <API>',
  scopes: [{ name: 'ledger:read', description: 'Read the "ledger" & balances' }],
  signing_alg: 'ES256',
  access_token_ttl_seconds: 120,
};
/** An API that introspects its tokens instead of verifying them. */
export const archive = { identifier: 'https://archive.example.test/v1', name: 'Archive', scopes: [{ name: 'archive:read', description: 'Read the archive' }], access_token_format: 'opaque' };

/** A machine application that may ask for any scope. */
export const machine = { client_id: 'machine', client_secret: secretOf('machine'), grant_types: ['client_credentials'] };
/** A machine application limited by its `scope` to one of the orders API's scopes. */
export const reader = { client_id: 'reader', client_secret: secretOf('reader'), grant_types: ['client_credentials'], scope: 'orders:read' };
/** A confidential web application for the code flow. */
export const web = {
  client_id: 'web', client_secret: secretOf('web'), client_name: 'Order <Desk>',
  grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [redirectUri],
};

export const user = { ...alice, email: 'alice@example.com', email_verified: true, name: 'Alice Liddell' };

export const baseDeclarations = { applications: [machine, reader, web], users: [user], resources: [orders, ledger, archive] };

/** A client credentials grant of this application (client_secret_basic) with these fields. */
export function clientCredentials(server: TestServer, clientId: string, fields: Record<string, string>): Promise<TokenAnswer> {
  return postToken(server, { grant_type: 'client_credentials', ...fields }, basicAuth(clientId, secretOf(clientId)));
}

/** Verifies a JWT access token with the keys discovery publishes, as an API does (RFC 9068 §4). */
export async function verifyAccessToken(server: TestServer, token: string, audience: string): Promise<{ alg: string; payload: JWTPayload }> {
  const discovery = (await (await fetch(`${endpointBase(server)}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  // The published jwks_uri names the public URL, which is this instance's own address in the tests.
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(token, keys, { issuer: server.issuer, audience, typ: 'at+jwt' });
  assert.equal(protectedHeader.alg, decodeProtectedHeader(token).alg);
  return { alg: protectedHeader.alg, payload };
}

/** True when the token has the shape of a JWS (three base64url parts): an opaque token does not. */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

/** Introspection as the application that holds the token sees it. */
export async function introspect(server: TestServer, clientId: string, token: string): Promise<Record<string, unknown>> {
  const response = await postForm(server, 'token/introspection', { token }, basicAuth(clientId, secretOf(clientId)));
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}
