import { mock } from 'node:test';
import type { Clock } from '../../src/runtime/clock.js';

/** A clock that stands still until the test moves it. */
export interface TestClock extends Clock {
  advance(seconds: number): void;
}

/** Gatehouse's time, pinned: give it to a service under test, and move it instead of sleeping. */
export function pinnedClock(start = Date.now()): TestClock {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number): void {
      now += seconds * 1000;
    },
  };
}

export interface PinnedTime extends TestClock {
  /** Gives the process its real time back; call it once the servers that used the pinned time are closed. */
  release(): void;
}

/**
 * The whole process's time pinned, for a server under test and the test alike. oidc-provider
 * reads Date.now for every lifetime it sets and checks (tokens, codes, interactions, sessions),
 * and so do the cookie jar and openid-client; give the result to startServer as Gatehouse's
 * clock too, so that locks, counters and stored expiry move with them. Only Date is replaced:
 * timers and performance.now keep running.
 */
export function pinTime(start = Date.now()): PinnedTime {
  mock.timers.enable({ apis: ['Date'], now: start });
  return {
    now: () => Date.now(),
    advance(seconds: number): void {
      mock.timers.tick(seconds * 1000);
    },
    release(): void {
      mock.timers.reset();
    },
  };
}
