import type { Db } from '../db/database.js';
import { createAttemptCounterQueries, type AttemptCounterRow, type CountedAttempt } from '../db/queries/attempt-counters.js';
import type { Clock } from '../runtime/clock.js';

/** How many failures a key may have in a window, and how long it is blocked once it has them. */
export interface LimitPolicy {
  threshold: number;
  windowSeconds: number;
  /** The first block; each further block doubles, up to maxBlockSeconds. */
  baseBlockSeconds: number;
  maxBlockSeconds: number;
}

/** An attempt that was counted and may go on to have its credential checked; settle it once. */
export interface PendingAttempt {
  /** The credential was wrong: the attempt stays counted, and the one that reached the threshold blocks the key. */
  fail(): Promise<void>;
  /** The credential was right, or was never checked: the attempt is given back. */
  giveBack(): Promise<void>;
}

/** Admitted: the attempt to settle, and the counter state it was counted into. */
export type Admission = { admitted: true; attempt: PendingAttempt; counted: CountedAttempt } | { admitted: false; retryAfterSeconds: number };

/**
 * The outcomes of one attempt, of which only the first called does anything: an attempt is
 * settled once, so a give-back after a failure (or the other way round) changes nothing.
 */
export function settleOnce<Outcome extends string>(outcomes: Record<Outcome, () => Promise<unknown>>): Record<Outcome, () => Promise<void>> {
  let settled = false;
  const once = (settle: () => Promise<unknown>) => async () => {
    if (settled) return;
    settled = true;
    await settle();
  };
  return Object.fromEntries(Object.entries<() => Promise<unknown>>(outcomes).map(([name, settle]) => [name, once(settle)])) as Record<Outcome, () => Promise<void>>;
}

/** The block that follows `previousBlocks` earlier ones: base, 2×base, 4×base ... capped at the maximum. */
export function blockSeconds(policy: LimitPolicy, previousBlocks: number): number {
  const doublings = Math.min(previousBlocks, 32);
  return Math.min(policy.maxBlockSeconds, policy.baseBlockSeconds * 2 ** doublings);
}

/** Whether a counter still holds failures or a block, so that forgetting it lifts something. */
export function holdsSomething(row: AttemptCounterRow, now: number): boolean {
  return row.expires_at > now && (row.failures > 0 || (row.locked_until !== null && row.locked_until > now));
}

function refusedSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

function refused(retryAfterMs: number): Admission {
  return { admitted: false, retryAfterSeconds: refusedSeconds(retryAfterMs) };
}

/**
 * Counts attempts per key in the database and blocks a key once `threshold` of them failed
 * within the window. Each attempt is counted before its credential is checked, by one statement
 * that returns the new count, so however many arrive at once, on however many instances, at most
 * `threshold` are let through per window; the rest are refused and not counted. A counter is
 * forgotten when its window passes without a block, or when maxBlockSeconds pass after its last
 * block ends; until then each new block doubles.
 */
export function createAttemptLimiter({ db, clock, policy }: { db: Db; clock: Clock; policy: LimitPolicy }) {
  const counters = createAttemptCounterQueries(db);
  const windowMs = policy.windowSeconds * 1000;

  async function admit(key: string): Promise<Admission> {
    const now = clock.now();
    const row = await counters.countAttempt({ key, now, windowEnd: now + windowMs, windowClosedIfStartedBy: now - windowMs });
    if (row.locked_until !== null && row.locked_until > now) return refused(row.locked_until - now);
    const counted = { key, windowStartedAt: row.window_started_at, lockCount: row.lock_count };
    if (row.failures > policy.threshold) {
      // Attempts still in flight hold the whole allowance; the one that reached it blocks the key if it fails.
      await counters.giveBack(counted);
      return refused(blockSeconds(policy, row.lock_count) * 1000);
    }
    return { admitted: true, attempt: pending(row, counted), counted };
  }

  function pending(row: AttemptCounterRow, counted: CountedAttempt): PendingAttempt {
    return settleOnce({
      fail: async () => {
        if (row.failures >= policy.threshold) await block(row);
      },
      giveBack: () => counters.giveBack(counted),
    });
  }

  /** Applied by one request only: the update requires the lock count this attempt was counted under. */
  async function block(row: AttemptCounterRow): Promise<void> {
    const now = clock.now();
    const lockedUntil = now + blockSeconds(policy, row.lock_count) * 1000;
    await counters.lock({
      key: row.key,
      now,
      lockedUntil,
      expiresAt: lockedUntil + policy.maxBlockSeconds * 1000,
      threshold: policy.threshold,
      seenLockCount: row.lock_count,
    });
  }

  /** Seconds the key stays blocked, or undefined: a read only, for checks on every request of a hot path. */
  async function blockedFor(key: string): Promise<number | undefined> {
    const now = clock.now();
    const row = await counters.find(key);
    return row?.locked_until != null && row.locked_until > now ? refusedSeconds(row.locked_until - now) : undefined;
  }

  /** Counts a failure that has already happened; the one that reaches the threshold blocks the key. */
  async function recordFailure(key: string): Promise<void> {
    const admission = await admit(key);
    if (admission.admitted) await admission.attempt.fail();
  }

  /** Forgets the key's attempts and any block: after a successful sign-in, or when an administrator unblocks it. */
  function clear(key: string): Promise<boolean> {
    return counters.remove(key);
  }

  return { admit, blockedFor, recordFailure, clear };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;
