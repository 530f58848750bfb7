/**
 * What one core can do at most for the costliest step of a scenario, measured in the bench's own
 * process while the servers are idle: a server cannot sign or verify faster than this per core.
 */
import { hash, verify } from '@node-rs/argon2';
import { CompactSign, generateKeyPair } from 'jose';
import { argon2Params, user, type JwtAlg } from './fixture.js';

async function perSecond(seconds: number, once: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    await once();
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

/** JWS signatures per second on one core, over a payload the size of an access token's. */
export async function signingRate(alg: JwtAlg, seconds: number): Promise<number> {
  const { privateKey } = await generateKeyPair(alg);
  const payload = new TextEncoder().encode(
    JSON.stringify({ iss: 'http://127.0.0.1:3000/oidc', sub: 'bench-machine', aud: 'urn:bench:api', exp: 1e10, iat: 1e9, jti: 'x'.repeat(43), client_id: 'bench-machine', scope: 'api' }),
  );
  return perSecond(seconds, () => new CompactSign(payload).setProtectedHeader({ alg, typ: 'at+jwt', kid: 'k' }).sign(privateKey));
}

/** argon2id verifications per second, one at a time (one core), at the production parameters. */
export async function argon2VerifyRate(seconds: number): Promise<number> {
  const stored = await hash(user.password, argon2Params);
  return perSecond(seconds, () => verify(stored, user.password));
}
