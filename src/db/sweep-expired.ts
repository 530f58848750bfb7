import type { Db } from './database.js';
import { createAttemptCounterQueries } from './queries/attempt-counters.js';
import { createOidcModelQueries } from './queries/oidc-models.js';
import type { Clock } from '../runtime/clock.js';

/** Removes expired protocol state and attempt counters; safe to run on every instance at once. */
export async function sweepExpired(db: Db, clock: Clock): Promise<number> {
  const now = clock.now();
  const models = await createOidcModelQueries(db).deleteExpired(now);
  return models + (await createAttemptCounterQueries(db).deleteExpired(now));
}
