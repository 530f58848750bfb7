import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { authorize, type Browser, type Credentials } from '../../helpers/sign-in.js';
import type { TestServer } from '../../helpers/start-server.js';
import { alice, redirectUri } from './fixtures.js';

export { insecure, newBrowser, oauthError };

/** An authorization request URL as an application builds it by hand. */
export function authorizationUrl(server: TestServer, params: Record<string, string>): URL {
  const url = new URL(`${server.issuer}/auth`);
  for (const [name, value] of Object.entries({ redirect_uri: redirectUri, ...params })) url.searchParams.set(name, value);
  return url;
}

/** Signs in (and consents) through the pages; returns where the browser is sent back to. */
export async function callbackFor(browser: Browser, url: URL, credentials: Credentials = alice): Promise<URL> {
  return new URL(await authorize(browser, url, credentials));
}

/** The authorization response parameters in a callback URL's fragment. */
export function fragmentOf(callback: URL): URLSearchParams {
  return new URLSearchParams(callback.hash.slice(1));
}

/** The hash OpenID Connect Core §3.1.3.6 / §3.3.2.11 put in at_hash and c_hash, for the id_token's alg. */
export function leftHalfHash(value: string, alg: string): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** Verifies an id_token's signature against the published JWKS (or an HS256 secret), issuer and audience. */
export async function verifyIdToken(
  server: TestServer,
  idToken: string,
  expect: { audience: string; algorithm?: string; secret?: string },
): Promise<JWTPayload & Record<string, unknown>> {
  const algorithms = [expect.algorithm ?? 'RS256'];
  const options = { issuer: server.issuer, audience: expect.audience, algorithms };
  if (expect.secret) return (await jwtVerify(idToken, new TextEncoder().encode(expect.secret), options)).payload;
  let jwks = jwksCache.get(server.issuer);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    jwksCache.set(server.issuer, jwks);
  }
  return (await jwtVerify(idToken, jwks, options)).payload;
}

/** A request to the token endpoint as any HTTP client sends it. */
export async function postToken(
  server: TestServer,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

export function basicAuth(clientId: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` };
}
