import type { Clock } from '../../src/runtime/clock.js';

/** A clock that stands still until the test moves it. */
export interface TestClock extends Clock {
  advance(seconds: number): void;
}

/** Gatehouse's time, pinned: give it to startServer or a service, and move it instead of sleeping. */
export function pinnedClock(start = Date.now()): TestClock {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number): void {
      now += seconds * 1000;
    },
  };
}
