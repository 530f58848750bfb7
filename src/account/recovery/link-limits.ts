import { defaults } from '../../config/defaults.js';
import type { Db } from '../../db/database.js';
import { createAttemptCounterQueries } from '../../db/queries/attempt-counters.js';
import type { Clock } from '../../runtime/clock.js';

/** Admitted, or how many minutes until the window closes. */
export type LimitAnswer = { admitted: true } | { admitted: false; waitMinutes: number };

/**
 * How many links (or forgot-password requests) a key may ask for per window
 * (defaults.recovery.limitWindowSeconds): one counter row per key in attempt_counters, counted by
 * a single statement, so that instances sharing a database share the count.
 */
export function createLinkLimits({ db, clock }: { db: Db; clock: Clock }) {
  const counters = createAttemptCounterQueries(db);
  const windowMs = defaults.recovery.limitWindowSeconds * 1000;
  return {
    async admit(key: string, limit: number): Promise<LimitAnswer> {
      const now = clock.now();
      const row = await counters.countAttempt({ key: `recovery:${key}`, now, windowEnd: now + windowMs, windowClosedIfStartedBy: now - windowMs });
      if (row.failures <= limit) return { admitted: true };
      return { admitted: false, waitMinutes: Math.max(1, Math.ceil((row.window_started_at + windowMs - now) / 60_000)) };
    },
  };
}

export type LinkLimits = ReturnType<typeof createLinkLimits>;
