import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { defaults } from '../config/defaults.js';
import { cookiePurpose } from './key-timeline.js';

/** RS256 first: it is the default id_token algorithm and the one every client library supports. */
export const signingAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

export const signingPurpose = (alg: SigningAlgorithm) => `signing:${alg}`;

/** Every purpose a key is kept for: one signing key per algorithm, and the cookie key. */
export const keyPurposes = [...signingAlgorithms.map(signingPurpose), cookiePurpose];

/** The algorithm of a signing purpose; undefined for the cookie key. */
export function algorithmOf(purpose: string): SigningAlgorithm | undefined {
  return signingAlgorithms.find((alg) => signingPurpose(alg) === purpose);
}

/** A freshly generated key, not yet sealed: its kid, its public JWK (none for a cookie key) and its secret part. */
export interface NewKey {
  kid: string;
  purpose: string;
  publicJwk: JWK | null;
  /** The private JWK as JSON, or the cookie key itself. */
  secret: string;
}

/** A signing key whose kid is its public key's thumbprint (RFC 7638), so that opening it can check it belongs to its row. */
async function newSigningKey(alg: SigningAlgorithm): Promise<NewKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: defaults.rsaModulusLength });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg, use: 'sig' };
  return { kid, purpose: signingPurpose(alg), publicJwk: { ...publicJwk, ...meta }, secret: JSON.stringify({ ...(await exportJWK(privateKey)), ...meta }) };
}

/** 256 random bits for oidc-provider's cookie signatures (keygrip, HMAC-SHA256). */
function newCookieKey(): NewKey {
  return { kid: `cookie-${randomBytes(8).toString('hex')}`, purpose: cookiePurpose, publicJwk: null, secret: randomBytes(32).toString('base64url') };
}

/** A new key for the purpose. */
export function newKey(purpose: string): Promise<NewKey> {
  const alg = algorithmOf(purpose);
  return alg ? newSigningKey(alg) : Promise.resolve(newCookieKey());
}
