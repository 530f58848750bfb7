import { defaults } from '../config/defaults.js';
import type { Db } from './database.js';
import { createAddressIdentityQueries } from './queries/address-identities.js';
import { createAttemptCounterQueries } from './queries/attempt-counters.js';
import { createAuditEventQueries } from './queries/audit-events.js';
import { createJwtReplayQueries } from './queries/jwt-replays.js';
import { createOidcModelQueries } from './queries/oidc-models.js';
import { createSignInDetourQueries } from './queries/sign-in-detours.js';
import { createUpstreamSessionQueries } from './queries/upstream-sessions.js';
import type { Clock } from '../runtime/clock.js';

const dayMilliseconds = 24 * 60 * 60 * 1000;

export interface SweepOptions {
  /** The configuration file's `audit.retention_days`: audit events older than this are removed. */
  auditRetentionDays?: number;
}

/**
 * Removes expired protocol state, attempt counters, identities failing at an address, sign-in
 * detours, upstream sessions, the partners' token ids past their tokens' expiry, and the audit
 * events past their retention; safe to run on every instance at once.
 */
export async function sweepExpired(db: Db, clock: Clock, { auditRetentionDays = defaults.audit.retentionDays }: SweepOptions = {}): Promise<number> {
  const now = clock.now();
  const tables = [createOidcModelQueries, createAttemptCounterQueries, createAddressIdentityQueries, createSignInDetourQueries, createUpstreamSessionQueries, createJwtReplayQueries];
  let swept = 0;
  for (const queries of tables) swept += await queries(db).deleteExpired(now);
  swept += await createAuditEventQueries(db).pruneBefore(now - auditRetentionDays * dayMilliseconds);
  return swept;
}
