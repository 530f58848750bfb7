import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { defaults } from '../config/defaults.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import type { Outbound, SafeFetch } from '../outbound/safe-fetch.js';
import type { JwtConnection } from './connection.js';

/** What jose verifies a partner's token with: its HMAC secret's bytes, its public key, or its key set. */
export type PartnerVerificationKey = Uint8Array | KeyObject | JWTVerifyGetKey;

export interface PartnerKeys {
  /** The key a connection's tokens are verified with; a key set is fetched lazily and cached. */
  keyFor(connection: JwtConnection): PartnerVerificationKey;
  /** The safe fetch for a connection's key set, its refusals naming the connection. */
  fetchFor(connection: Pick<JwtConnection, 'id'>): SafeFetch;
}

/**
 * The key set's verdict on a token's key, where anything but "no such key" means the key set
 * could not be read (unreachable, refused, not 200, not a key set): `upstream_failed` naming the
 * connection and the address, as any failure of an outbound request.
 */
function keyFrom(connection: Pick<JwtConnection, 'id'>, jwksUri: string, set: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await set(header, token);
    } catch (error) {
      // No such key, or several (verify-token.ts tries each): answers about the token, not failures to read the set.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || isGatehouseError(error)) throw error;
      throw new GatehouseError('upstream_failed', `${requesterOf(connection)}: the key set at ${jwksUri} could not be read (${(error as Error).message})`, { cause: error });
    }
  };
}

/** How refusals and failures name a partner's connection, as upstream.ts names an upstream's. */
const requesterOf = (connection: Pick<JwtConnection, 'id'>) => `connection "${connection.id}"`;

/**
 * Partners' verification keys. A key set (jwks_uri) is fetched through the safe fetch (timeouts,
 * size cap, no private addresses unless allowed), kept for `jwksCacheSeconds`, and fetched again
 * at once when a token names a kid it does not have (at most every half minute, jose's cooldown),
 * so a partner's key rotation needs no restart. A cached key set is per connection and URL: a
 * changed jwks_uri starts afresh. Only a cache: every instance fetches its own.
 */
export function createPartnerKeys({ outbound }: { outbound: Outbound }): PartnerKeys {
  const keySets = new Map<string, JWTVerifyGetKey>();
  const fetchFor = (connection: Pick<JwtConnection, 'id'>) => outbound.fetchFor(requesterOf(connection));

  function keySet(connection: JwtConnection, jwksUri: string): JWTVerifyGetKey {
    const cacheKey = `${connection.id} ${jwksUri}`;
    let set = keySets.get(cacheKey);
    if (!set) {
      for (const key of keySets.keys()) if (key.startsWith(`${connection.id} `)) keySets.delete(key);
      set = createRemoteJWKSet(new URL(jwksUri), {
        [customFetch]: fetchFor(connection),
        timeoutDuration: outbound.policy.timeoutMilliseconds,
        cacheMaxAge: defaults.jwtSso.jwksCacheSeconds * 1000,
      });
      keySets.set(cacheKey, set);
    }
    return keyFrom(connection, jwksUri, set);
  }

  return {
    keyFor(connection) {
      const { key } = connection;
      if ('secret' in key) return new TextEncoder().encode(key.secret);
      if ('publicKey' in key) return createPublicKey(key.publicKey);
      return keySet(connection, key.jwksUri);
    },
    fetchFor,
  };
}
