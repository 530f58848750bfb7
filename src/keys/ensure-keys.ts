import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { defaults } from '../config/defaults.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { createKeyQueries } from '../db/queries/keys.js';
import type { Clock } from '../runtime/clock.js';

/** RS256 first: it is the default id_token algorithm and the one every client library supports. */
const signingAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const;
const cookieSlot = 'cookie:1';

export interface KeyMaterial {
  /** Private signing keys as JWKs, for oidc-provider's `jwks`. */
  signingKeys: JWK[];
  /** Keys oidc-provider signs its cookies with. */
  cookieKeys: string[];
}

async function newSigningKey(alg: (typeof signingAlgorithms)[number]): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: defaults.rsaModulusLength });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg, use: 'sig' };
  return { publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}

/** Loads the signing and cookie keys, generating whichever are missing (first start). */
export async function ensureKeys(db: Db, box: SecretBox, clock: Clock): Promise<KeyMaterial> {
  const keys = createKeyQueries(db);
  const existing = new Set((await keys.all()).map((row) => row.slot));
  for (const alg of signingAlgorithms) {
    const slot = `signing:${alg}`;
    if (existing.has(slot)) continue;
    const { publicJwk, privateJwk } = await newSigningKey(alg);
    await keys.insertIfAbsent({
      slot,
      kid: publicJwk.kid!,
      use: 'sig',
      alg,
      public_jwk: JSON.stringify(publicJwk),
      private_sealed: box.seal(JSON.stringify(privateJwk), slot),
      created_at: clock.now(),
    });
  }
  if (!existing.has(cookieSlot)) {
    await keys.insertIfAbsent({
      slot: cookieSlot,
      kid: `cookie-${randomBytes(8).toString('hex')}`,
      use: 'cookie',
      alg: null,
      public_jwk: null,
      private_sealed: box.seal(randomBytes(32).toString('base64url'), cookieSlot),
      created_at: clock.now(),
    });
  }
  const rows = await keys.all();
  return {
    signingKeys: rows
      .filter((row) => row.use === 'sig')
      .sort((a, b) => signingAlgorithms.indexOf(a.alg as never) - signingAlgorithms.indexOf(b.alg as never))
      .map((row) => JSON.parse(box.open(row.private_sealed, row.slot)) as JWK),
    cookieKeys: rows.filter((row) => row.use === 'cookie').map((row) => box.open(row.private_sealed, row.slot)),
  };
}
