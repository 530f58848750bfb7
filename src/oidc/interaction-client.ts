import type { Db } from '../db/database.js';
import { createOidcModelQueries } from '../db/queries/oidc-models.js';

/**
 * The client_id of the pending sign-in `uid`, from the engine's stored Interaction (its payload's
 * `params` are the authorization request's); undefined once the engine no longer keeps it. For
 * the pages (branding), which know a sign-in only by the uid in their path and read it before
 * the engine is asked anything.
 */
export async function interactionClientId(db: Db, uid: string, now: number): Promise<string | undefined> {
  const row = await createOidcModelQueries(db).findBy('Interaction', 'id', uid, now);
  if (!row) return undefined;
  const clientId = (JSON.parse(row.payload) as { params?: { client_id?: unknown } }).params?.client_id;
  return typeof clientId === 'string' ? clientId : undefined;
}
