import { combine, type Side } from './report.js';
import type { Load, Scenario } from './scenarios.js';
import type { Target } from './targets.js';

/** One process against `workers` processes of the same Gatehouse on the same database, one scenario. */
export interface Scaling {
  storage: 'SQLite' | 'PostgreSQL';
  scenario: string;
  workers: number;
  one: Side;
  many: Side;
  /** Requests per second of the workers / of one process. */
  factor: number;
}

/**
 * Runs the scenario against a one-process Gatehouse and one of `workers` processes, both
 * serving the same database, alternately round by round, so that both meet the same machine.
 * The load generator runs on the same cores, as in every other scenario: on a machine of two
 * cores, two workers share them with it.
 */
export async function measureScaling(
  scenario: Scenario, storage: Scaling['storage'], workers: number,
  targets: { one: Target; many: Target }, load: Load, rounds: number, seconds: number, warmUpSeconds: number,
): Promise<Scaling> {
  const one = await scenario.prepare(targets.one, load);
  const many = await scenario.prepare(targets.many, load);
  // Unmeasured, as in every scenario: each worker compiles its hot code on its first requests.
  await one(warmUpSeconds);
  await many(warmUpSeconds);
  const a = [];
  const b = [];
  for (let round = 0; round < rounds; round += 1) {
    a.push(await one(seconds));
    b.push(await many(seconds));
  }
  const [oneSide, manySide] = [combine(a), combine(b)];
  return { storage, scenario: scenario.name, workers, one: oneSide, many: manySide, factor: manySide.rps / oneSide.rps };
}

export function scalingLine(s: Scaling): string {
  const failures = s.one.failures + s.many.failures;
  return `${s.scenario} on ${s.storage}: 1 process ${s.one.rps.toFixed(0)}/s (p99 ${s.one.p99Ms.toFixed(1)} ms), ${s.workers} workers ${s.many.rps.toFixed(0)}/s (p99 ${s.many.p99Ms.toFixed(1)} ms): ${s.factor.toFixed(2)}×${failures ? ` (${failures} failed)` : ''}`;
}
