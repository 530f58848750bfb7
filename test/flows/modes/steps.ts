import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { TestServer } from '../../helpers/start-server.js';

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
