import { partnerIssuer } from '../connections/connection.js';
import { issuerOfDiscoveryUrl, sameIssuer } from '../connections/connection-schema.js';
import type { Db } from '../db/database.js';
import { createConnectionQueries, type ConnectionRow } from '../db/queries/connections.js';
import { createPasskeyQueries } from '../db/queries/passkeys.js';
import { createUserIdentityQueries } from '../db/queries/user-identities.js';
import { createUserQueries } from '../db/queries/users.js';
import { GatehouseError } from '../errors/gatehouse-error.js';

/** The owner's own removal of their last way to sign in (an identity unlinked, a passkey removed), refused: the change is undone. */
export class LastWayIn extends GatehouseError {
  constructor() {
    super('conflict', 'This is the last way to sign in to the account: set a password, add a passkey or link another sign-in first.');
  }
}

/** The issuer whose identities a connection signs in: a partner's own, an upstream's from its discovery URL or as typed in. */
function issuerOfConnection(row: ConnectionRow): string | undefined {
  if (row.type === 'jwt') return partnerIssuer(row);
  const settings = JSON.parse(row.settings) as { discovery_url?: string; issuer?: string };
  return settings.discovery_url !== undefined ? issuerOfDiscoveryUrl(settings.discovery_url) : settings.issuer;
}

/**
 * Whether the user can still sign in on their own: a password, a passkey (passwordless sign-in,
 * passkey-method.ts), or an identity at a connection that exists and is enabled.
 */
async function hasWayIn(trx: Db, userId: string): Promise<boolean> {
  if ((await createUserQueries(trx).findById(userId))?.password_hash != null) return true;
  if ((await createPasskeyQueries(trx).countOf(userId)) > 0) return true;
  const issuers = (await createConnectionQueries(trx).listEnabled()).map(issuerOfConnection).filter((issuer) => issuer !== undefined);
  return (await createUserIdentityQueries(trx).listByUser(userId)).some((link) => issuers.some((issuer) => sameIssuer(issuer, link.issuer)));
}

/**
 * Throws LastWayIn, inside the transaction that just removed something, when the user is left
 * with no way to sign in: the removal comes back. The caller has locked the user's row, so two
 * removals at once cannot take the last two.
 */
export async function refuseLastWayIn(trx: Db, userId: string): Promise<void> {
  if (!(await hasWayIn(trx, userId))) throw new LastWayIn();
}
