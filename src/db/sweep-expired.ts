import { sql } from 'kysely';
import { defaults } from '../config/defaults.js';
import { isPostgres } from './connect.js';
import type { Db } from './database.js';
import { createAccountTokenQueries } from './queries/account-tokens.js';
import { createAddressIdentityQueries } from './queries/address-identities.js';
import { createAttemptCounterQueries } from './queries/attempt-counters.js';
import { createAuditEventQueries } from './queries/audit-events.js';
import { createEmailOutboxQueries } from './queries/email-outbox.js';
import { createJwtReplayQueries } from './queries/jwt-replays.js';
import { createMfaSignInQueries } from './queries/mfa-sign-ins.js';
import { createOidcModelQueries } from './queries/oidc-models.js';
import { createSessionDeviceQueries } from './queries/session-devices.js';
import { createSignInDetourQueries } from './queries/sign-in-detours.js';
import { createUpstreamSessionQueries } from './queries/upstream-sessions.js';
import { createWebauthnChallengeQueries } from './queries/webauthn-challenges.js';
import type { Clock } from '../runtime/clock.js';

const dayMilliseconds = 24 * 60 * 60 * 1000;

/** Any fixed number ('Swee' in ASCII): the advisory lock instances sharing a database take to sweep one at a time. */
const sweepLockKey = 0x53776565;

/** What a round of the periodic sweep did: the rows it removed, or nothing because another instance was sweeping. */
export type SweepResult = { skipped: false; removed: number } | { skipped: true };

export interface SweepOptions {
  /** The configuration file's `audit.retention_days`: audit events older than this are removed. */
  auditRetentionDays?: number;
}

/**
 * Removes expired protocol state, attempt counters, email links (account tokens), identities failing at an address, sign-in
 * detours, upstream sessions and the devices of sessions gone, the partners' token ids past their tokens' expiry, the audit
 * events past their retention, and the outbox's sent and failed messages past
 * defaults.email.keepDays; safe to run on every instance at once, though sweepOnOneInstance spares
 * them the duplicate work.
 */
export async function sweepExpired(db: Db, clock: Clock, { auditRetentionDays = defaults.audit.retentionDays }: SweepOptions = {}): Promise<number> {
  const now = clock.now();
  const tables = [createOidcModelQueries, createAttemptCounterQueries, createAddressIdentityQueries, createSignInDetourQueries, createUpstreamSessionQueries, createJwtReplayQueries, createWebauthnChallengeQueries, createMfaSignInQueries, createAccountTokenQueries];
  let swept = 0;
  for (const queries of tables) swept += await queries(db).deleteExpired(now);
  // After the engine's rows: a session swept just now takes its device row with it.
  swept += await createSessionDeviceQueries(db).deleteOrphans();
  swept += await createAuditEventQueries(db).pruneBefore(now - auditRetentionDays * dayMilliseconds);
  swept += await createEmailOutboxQueries(db).prune(now - defaults.email.keepDays * dayMilliseconds);
  return swept;
}

/**
 * The periodic sweep: on PostgreSQL only the instance that takes the advisory lock sweeps, and
 * one that finds it taken skips this round, so that instances do not all delete the same rows
 * at once. The lock is held by a transaction of its own, released when it ends whatever
 * happens (an error, a lost connection); the deletes run outside it, as many short statements.
 * SQLite is one file on one machine, whose write lock already takes turns.
 */
export async function sweepOnOneInstance(db: Db, clock: Clock, options: SweepOptions = {}): Promise<SweepResult> {
  if (!isPostgres(db)) return { skipped: false, removed: await sweepExpired(db, clock, options) };
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${sweepLockKey}) as locked`.execute(trx);
    if (!rows[0]?.locked) return { skipped: true };
    return { skipped: false, removed: await sweepExpired(db, clock, options) };
  });
}
