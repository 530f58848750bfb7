import type { JwtConnection } from './connection.js';
import type { PartnerKeys } from './partner-keys.js';
import { signingKeys, type ConnectionCheck, type ConnectionTestReport } from './test-connection.js';
import { asUpstreamError } from './upstream.js';

/**
 * Test connection for a partner: whether its tokens can be verified. A secret and a public key
 * were checked when declared; a key set is fetched now, as a sign-in would, and must hold a
 * signing key of a type the allowed algorithms use. The partner's sign-in page is the browser's
 * to reach, not Gatehouse's, so it is only shown.
 */
export async function testPartnerConnection(connection: JwtConnection, keys: PartnerKeys): Promise<ConnectionTestReport> {
  const checks: ConnectionCheck[] = [await checkKey(connection, keys)];
  return { connectionId: connection.id, ok: checks.every((check) => check.ok), checks, signInUrl: undefined };
}

const keyTypeOf = (alg: string) => (alg.startsWith('ES') ? 'EC' : alg === 'EdDSA' ? 'OKP' : 'RSA');

async function checkKey(connection: JwtConnection, keys: PartnerKeys): Promise<ConnectionCheck> {
  const algorithms = connection.algorithms.join(', ');
  const { key } = connection;
  if ('secret' in key) return { check: 'key', ok: true, detail: `a shared secret of ${Buffer.byteLength(key.secret)} bytes verifies ${algorithms}` };
  if ('publicKey' in key) return { check: 'key', ok: true, detail: `the partner's public key verifies ${algorithms}` };
  try {
    const response = await keys.fetchFor(connection)(key.jwksUri, { headers: { accept: 'application/json, application/jwk-set+json' } });
    if (response.status !== 200) return { check: 'jwks', ok: false, detail: `${key.jwksUri} answered with HTTP ${response.status} instead of the key set` };
    const body: unknown = await response.json().catch(() => undefined);
    if (body === undefined) return { check: 'jwks', ok: false, detail: `${key.jwksUri} did not answer with JSON` };
    const usable = signingKeys(body).filter((jwk) => connection.algorithms.some((alg) => keyTypeOf(alg) === jwk.kty));
    if (usable.length === 0) return { check: 'jwks', ok: false, detail: `${key.jwksUri} has no signing key that ${algorithms} could verify with` };
    const kids = usable.map((jwk) => jwk.kid ?? `(${jwk.kty} without kid)`).join(', ');
    return { check: 'jwks', ok: true, detail: `${usable.length} signing key${usable.length === 1 ? '' : 's'} at ${key.jwksUri} for ${algorithms}: ${kids}` };
  } catch (error) {
    return { check: 'jwks', ok: false, detail: asUpstreamError(connection, error).message };
  }
}
