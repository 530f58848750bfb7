import type { Db } from '../db/database.js';
import { createOidcModelQueries } from '../db/queries/oidc-models.js';

/**
 * The one way the rest of Gatehouse ends what the protocol engine holds for a user. The engine's
 * rows are the engine's: services call this port, never the oidc_models table.
 */
export interface Sessions {
  /** Ends every session, grant, code and token of the account, so that introspection stops calling them active. */
  endAllOf(accountId: string): Promise<void>;
}

export function createSessions(db: Db): Sessions {
  const models = createOidcModelQueries(db);
  return { endAllOf: (accountId) => models.revokeAccount(accountId) };
}
