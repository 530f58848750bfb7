import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { defaults } from '../../../src/config/defaults.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import type { Browser } from '../../helpers/browser.js';
import { isPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { insecure } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { basicAuth, endpointBase, postToken } from '../../helpers/token-endpoint.js';

/** The asymmetric id_token algorithms, each with a relying party of its own and a key of its own. */
export const algorithms = ['RS256', 'ES256', 'EdDSA'] as const;
export type Algorithm = (typeof algorithms)[number];
export const clientIdFor = (alg: Algorithm) => `rp-${alg.toLowerCase()}`;
export const postLogoutRedirectUri = 'https://app.example.test/signed-out';

export const declarations = {
  users: [{ username: alice.username, password: alice.password, email: 'alice@example.com', email_verified: true, name: 'Alice Liddell' }],
  applications: algorithms.map((alg) => ({
    client_id: clientIdFor(alg),
    client_name: `Relying party ${alg}`,
    client_secret: secretOf(clientIdFor(alg)),
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    grant_types: ['authorization_code', 'refresh_token', 'password'],
    scope: 'openid profile offline_access',
    id_token_signed_response_alg: alg,
  })),
};

/**
 * How long a change of keys takes to reach an instance's engine: the engine check
 * (defaults.engineCheckSeconds) and a rebuild, with room for a loaded test machine.
 */
export const switchBoundMs = (defaults.engineCheckSeconds + 2) * 1000;

/** The JWKS one instance publishes (at its own address, not the shared public URL). */
export async function jwksOf(server: TestServer): Promise<JSONWebKeySet> {
  const response = await fetch(`${endpointBase(server)}/jwks`);
  assert.equal(response.status, 200);
  return (await response.json()) as JSONWebKeySet;
}

export const kidsOf = (jwks: JSONWebKeySet) => jwks.keys.map((key) => key.kid!);
export const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

/** The kid the instance's JWKS lists first for an algorithm: the engine signs with the first key of an algorithm. */
export const firstKidFor = (jwks: JSONWebKeySet, alg: Algorithm) => jwks.keys.find((key) => key.alg === alg)?.kid;

/**
 * Whether the instance signs with these kids, one per algorithm: each key is activated in a change
 * of its own, so an engine rebuilt between two of them has only some; a switch is complete when all are.
 */
export const signsWith = (jwks: JSONWebKeySet, kids: Record<Algorithm, string>) => algorithms.every((alg) => firstKidFor(jwks, alg) === kids[alg]);

/** A relying party's check of an id_token against a key set it holds (no fetch): signature, issuer, audience, expiry. */
export async function verifyWithKeySet(server: TestServer, jwks: JSONWebKeySet, idToken: string, alg: Algorithm): Promise<JWTPayload> {
  return (await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: server.issuer, audience: clientIdFor(alg), algorithms: [alg] })).payload;
}

/** An id_token (and, with offline_access, a refresh token) from this instance's token endpoint: the password grant. */
export async function tokensFrom(server: TestServer, alg: Algorithm, scope = 'openid'): Promise<{ idToken: string; refreshToken: string | undefined }> {
  const clientId = clientIdFor(alg);
  const { status, body } = await postToken(server, { grant_type: 'password', username: alice.username, password: alice.password, scope }, basicAuth(clientId, secretOf(clientId)));
  assert.equal(status, 200, JSON.stringify(body));
  return { idToken: body.id_token as string, refreshToken: body.refresh_token as string | undefined };
}

/** The id_tokens of every algorithm, from one instance. */
export async function idTokensFrom(server: TestServer): Promise<Record<Algorithm, string>> {
  const entries = await Promise.all(algorithms.map(async (alg) => [alg, (await tokensFrom(server, alg)).idToken] as const));
  return Object.fromEntries(entries) as Record<Algorithm, string>;
}

/** An unmodified openid-client configuration of the RS256 relying party. */
export function discoverRelyingParty(server: TestServer): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(server.issuer), clientIdFor('RS256'), secretOf(clientIdFor('RS256')), undefined, insecure);
}

/**
 * True when the browser's session cookie is still accepted: an authorization request completes
 * without the login page. The consent page may come first once the grant has expired
 * (`ttl.grant`, counted from the consent), which shows the session was recognized.
 */
export async function stillSignedIn(browser: Browser, rp: oidc.Configuration): Promise<boolean> {
  const pending = await startAuthorization(rp, 'openid');
  let result = await browser.get(pending.url.toString());
  if (isPage(result) && result.document.querySelector('form[action$="/consent"]')) result = await browser.submit(result, 'form[action$="/consent"]');
  if (isPage(result)) return false;
  const callback = new URL(result.redirectedTo);
  return callback.searchParams.get('error') === null && callback.searchParams.has('code');
}

/**
 * Waits for every instance to show the change, checking every 50 ms, and fails unless it is seen
 * within `boundMs`; returns how long it took.
 */
export async function within(boundMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > boundMs) assert.fail(`${what}: not within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
