import type { Db } from '../db/database.js';
import { createAttemptCounterQueries, type AttemptCounterRow } from '../db/queries/attempt-counters.js';
import type { Clock } from '../runtime/clock.js';

/** How many failures a key may have in a window, and how long it is blocked once it has them. */
export interface LimitPolicy {
  threshold: number;
  windowSeconds: number;
  /** The first block; each further block doubles, up to maxBlockSeconds. */
  baseBlockSeconds: number;
  maxBlockSeconds: number;
}

export type Verdict = { blocked: false } | { blocked: true; retryAfterSeconds: number };

const open: Verdict = { blocked: false };

/** The block that follows `previousBlocks` earlier ones: base, 2×base, 4×base ... capped at the maximum. */
export function blockSeconds(policy: LimitPolicy, previousBlocks: number): number {
  const doublings = Math.min(previousBlocks, 32);
  return Math.min(policy.maxBlockSeconds, policy.baseBlockSeconds * 2 ** doublings);
}

function blockedUntil(lockedUntil: number, now: number): Verdict {
  return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - now) / 1000)) };
}

function verdictOf(row: AttemptCounterRow | undefined, now: number): Verdict {
  if (!row || row.expires_at <= now || row.locked_until === null || row.locked_until <= now) return open;
  return blockedUntil(row.locked_until, now);
}

/**
 * Counts failures per key in the database and blocks a key that reaches the threshold within
 * the window. A counter is forgotten when its window passes without a block, or when
 * maxBlockSeconds pass after its last block ends; until then each new block doubles.
 */
export function createAttemptLimiter({ db, clock, policy }: { db: Db; clock: Clock; policy: LimitPolicy }) {
  const counters = createAttemptCounterQueries(db);
  const windowMs = policy.windowSeconds * 1000;

  async function check(key: string): Promise<Verdict> {
    return verdictOf(await counters.find(key), clock.now());
  }

  /** Counts one failure (none while blocked, so that a block cannot be extended); the verdict says whether the key is now blocked. */
  async function recordFailure(key: string): Promise<Verdict> {
    const now = clock.now();
    const row = await counters.recordFailure({ key, now, windowEnd: now + windowMs, windowClosedIfStartedBy: now - windowMs });
    if (row.failures < policy.threshold) return verdictOf(row, now);
    const lockedUntil = now + blockSeconds(policy, row.lock_count) * 1000;
    const locked = await counters.lock({
      key,
      now,
      lockedUntil,
      expiresAt: lockedUntil + policy.maxBlockSeconds * 1000,
      threshold: policy.threshold,
      seenLockCount: row.lock_count,
    });
    return locked ? blockedUntil(lockedUntil, now) : check(key);
  }

  /** Forgets the key's failures and any block: after a success, or when an administrator unblocks it. */
  function clear(key: string): Promise<boolean> {
    return counters.remove(key);
  }

  return { check, recordFailure, clear };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;
