import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { defaults } from '../config/defaults.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, KeyStatus } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createEngineStateQueries } from '../db/queries/engine-state.js';
import { createKeyQueries, type KeyRow } from '../db/queries/keys.js';
import type { Clock } from '../runtime/clock.js';

/** RS256 first: it is the default id_token algorithm and the one every client library supports. */
const signingAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const;
const cookiePurpose = 'cookie';
const signingPurpose = (alg: string) => `signing:${alg}`;
/** A key's private part is sealed bound to its purpose and kid, so it cannot be opened as another row. */
const sealContext = (purpose: string, kid: string) => `${purpose}:${kid}`;
/** Keys from the fixed-slot layout were sealed with their slot (see the keys-by-kid migration). */
const legacySealContext = (purpose: string) => (purpose === cookiePurpose ? 'cookie:1' : purpose);

/** The engine signs with the first key of an algorithm it finds, so active keys come first. */
const statusOrder: Record<KeyStatus, number> = { active: 0, next: 1, retired: 2 };

export interface EngineKeys {
  /** Private signing keys as JWKs, for oidc-provider's `jwks`: every published key, the signing ones first. */
  signingKeys: JWK[];
  /** Keys oidc-provider signs its cookies with (the first) and still accepts (the rest). */
  cookieKeys: string[];
}

export type KeyService = ReturnType<typeof createKeyService>;

async function newSigningKey(alg: (typeof signingAlgorithms)[number]): Promise<{ kid: string; publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: defaults.rsaModulusLength });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg, use: 'sig' };
  return { kid, publicJwk: { ...publicJwk, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}

/**
 * Signing and cookie keys, by kid and status. Private parts are sealed with the master secret,
 * bound to their purpose and kid (the slot, for keys from before); a signing key's kid is its
 * public key's thumbprint, which opening checks as well.
 */
export function createKeyService({ db, box, clock }: { db: Db; box: SecretBox; clock: Clock }) {
  const keys = createKeyQueries(db);

  function row(kid: string, purpose: string, publicJwk: JWK | null, secret: string): KeyRow {
    const now = clock.now();
    return {
      kid, purpose, status: 'active', public_jwk: publicJwk && JSON.stringify(publicJwk),
      private_sealed: box.seal(secret, sealContext(purpose, kid)), sealed_as: sealContext(purpose, kid), created_at: now, status_changed_at: now,
    };
  }

  /** Generates an active key for every purpose that has none (the first start); true when one was stored. */
  async function ensure(): Promise<boolean> {
    const active = await keys.activePurposes();
    const missing: KeyRow[] = [];
    for (const alg of signingAlgorithms) {
      if (active.has(signingPurpose(alg))) continue;
      const { kid, publicJwk, privateJwk } = await newSigningKey(alg);
      missing.push(row(kid, signingPurpose(alg), publicJwk, JSON.stringify(privateJwk)));
    }
    if (!active.has(cookiePurpose)) {
      missing.push(row(`cookie-${randomBytes(8).toString('hex')}`, cookiePurpose, null, randomBytes(32).toString('base64url')));
    }
    if (missing.length === 0) return false;
    return inTransaction(db, async (trx) => {
      const queries = createKeyQueries(trx);
      let stored = false;
      // A concurrent first start may have activated its own key meanwhile: the first one stays.
      for (const key of missing) stored = (await queries.insertIfNoneActive(key)) || stored;
      if (stored) await createEngineStateQueries(trx).bump();
      return stored;
    });
  }

  function open(key: KeyRow): string {
    if (key.sealed_as !== sealContext(key.purpose, key.kid) && key.sealed_as !== legacySealContext(key.purpose)) {
      throw new Error(`key ${key.kid} claims to be sealed for another key`);
    }
    const secret = box.open(key.private_sealed, key.sealed_as);
    if (key.purpose !== cookiePurpose && (JSON.parse(secret) as JWK).kid !== key.kid) {
      throw new Error(`the sealed private key of ${key.kid} belongs to another key`);
    }
    return secret;
  }

  async function engineKeys(): Promise<EngineKeys> {
    const rows = await keys.all();
    const algOrder = (key: KeyRow) => signingAlgorithms.indexOf(key.purpose.slice('signing:'.length) as never);
    const byStatus = (a: KeyRow, b: KeyRow) => statusOrder[a.status] - statusOrder[b.status];
    return {
      signingKeys: rows.filter((key) => key.purpose !== cookiePurpose)
        .sort((a, b) => byStatus(a, b) || algOrder(a) - algOrder(b))
        .map((key) => JSON.parse(open(key)) as JWK),
      cookieKeys: rows.filter((key) => key.purpose === cookiePurpose).sort(byStatus).map(open),
    };
  }

  return { ensure, engineKeys };
}
