import { createHash } from 'node:crypto';
import type { JwtConnection } from '../../connections/connection.js';
import type { Db } from '../../db/database.js';
import { createJwtReplayQueries } from '../../db/queries/jwt-replays.js';
import type { PartnerClaims } from './partner-claims.js';

/**
 * A token id is accepted once per connection: remembered by a unique insert until the token
 * has expired and the clock skew passed, after which the token is refused as expired anyway and
 * the sweep removes the row. False: this connection accepted it before (a replay), on this or
 * another instance. A token without `jti` (a connection with `require_jti: false`) has nothing
 * to remember and is single use only through its sign-in's state.
 */
export async function rememberTokenId(trx: Db, connection: JwtConnection, claims: PartnerClaims): Promise<boolean> {
  if (claims.jti === undefined) return true;
  return createJwtReplayQueries(trx).remember({
    connection_id: connection.id,
    jti_hash: createHash('sha256').update(claims.jti).digest('hex'),
    // RFC 7519 lets a NumericDate have a fraction; the column holds whole milliseconds.
    expires_at: Math.ceil((claims.exp + connection.clockSkewSeconds) * 1000),
  });
}
