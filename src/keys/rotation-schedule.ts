import type { Logger } from 'pino';
import type { Actor } from '../runtime/actor.js';
import type { KeyService } from './key-service.js';

/** Who applies the steps a rotation started earlier has come to. */
const schedule: Actor = { kind: 'system', reason: 'key rotation schedule' };

export interface RotationSchedule {
  /** Stops the timer and waits for a step under way, so that nothing queries a closed database. */
  stop(): Promise<void>;
}

/**
 * Every instance applies the rotation steps that are due (a `next` key activated, a retired one
 * removed) at start and every `everySeconds`; they are conditional changes, so instances doing it
 * at once apply each step once. The engines follow through the engine state within a second.
 */
export function startRotationSchedule(deps: { keys: KeyService; logger: Logger; everySeconds: number }): RotationSchedule {
  let running: Promise<void> | undefined;
  let failing = false;

  function step(): void {
    running ??= deps.keys.advanceRotations(schedule).then(
      (changes) => {
        if (failing) deps.logger.info('applying due key rotation steps works again');
        failing = false;
        for (const { kid, purpose, change } of changes) deps.logger.info({ kid, purpose }, `key ${change} by the rotation schedule`);
      },
      (error: unknown) => {
        // Once per outage, not once a minute on every instance.
        if (!failing) deps.logger.warn({ err: error }, 'applying due key rotation steps failed; trying again at the next interval');
        failing = true;
      },
    ).finally(() => {
      running = undefined;
    });
  }

  step();
  const timer = setInterval(step, deps.everySeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
