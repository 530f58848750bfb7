import type { Db } from './database.js';
import { createAddressIdentityQueries } from './queries/address-identities.js';
import { createAttemptCounterQueries } from './queries/attempt-counters.js';
import { createJwtReplayQueries } from './queries/jwt-replays.js';
import { createOidcModelQueries } from './queries/oidc-models.js';
import { createSignInDetourQueries } from './queries/sign-in-detours.js';
import { createUpstreamSessionQueries } from './queries/upstream-sessions.js';
import type { Clock } from '../runtime/clock.js';

/** Removes expired protocol state, attempt counters, identities failing at an address, sign-in detours, upstream sessions and the partners' token ids past their tokens' expiry; safe to run on every instance at once. */
export async function sweepExpired(db: Db, clock: Clock): Promise<number> {
  const now = clock.now();
  const tables = [createOidcModelQueries, createAttemptCounterQueries, createAddressIdentityQueries, createSignInDetourQueries, createUpstreamSessionQueries, createJwtReplayQueries];
  let swept = 0;
  for (const queries of tables) swept += await queries(db).deleteExpired(now);
  return swept;
}
