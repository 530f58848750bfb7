import type { RoundResult } from './load.js';

export interface Side {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  rounds: RoundResult[];
}

export interface ScenarioResult {
  name: string;
  gatehouse: Side | string;
  reference: Side;
  /** Gatehouse / reference requests per second. */
  ratio: number | null;
  ceiling?: { what: string; perSecondOneCore: number; reading: string };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Rounds of one side: requests per second and latencies averaged over the rounds, failures added up. */
export function combine(rounds: RoundResult[]): Side {
  return {
    rps: mean(rounds.map((r) => r.rps)),
    p50Ms: mean(rounds.map((r) => r.p50Ms)),
    p99Ms: mean(rounds.map((r) => r.p99Ms)),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    rounds,
  };
}

const n = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function cells(side: Side | string): string[] {
  if (typeof side === 'string') return ['not supported yet', '', ''];
  return [n(side.rps) + (side.failures ? ` (${side.failures} failed)` : ''), n(side.p50Ms, 1), n(side.p99Ms, 1)];
}

/** The results as a Markdown table, readable in a terminal and pasteable into README.md. */
export function table(results: ScenarioResult[]): string {
  const rows = [
    ['Scenario', 'Gatehouse req/s', 'p50 ms', 'p99 ms', 'Reference req/s', 'p50 ms', 'p99 ms', 'Ratio', 'Ceiling (1 core, same run)'],
    ...results.map((r) => [r.name, ...cells(r.gatehouse), ...cells(r.reference), r.ratio === null ? '–' : n(r.ratio, 2), r.ceiling?.reading ?? '']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
