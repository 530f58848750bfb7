import type { Registry } from 'prom-client';

/** One worker's metrics as its registry gives them (`getMetricsAsJSON`), as they cross the IPC channel. */
export type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * The exchange by which a scrape of /metrics reaching one worker gets the whole instance's
 * metrics: the worker asks the supervisor (`metrics.scrape`), which asks every listening worker,
 * the asking one included (`metrics.collect`), sums what they send back within the bound
 * (`metrics.collected`) and answers the asking worker (`metrics.scraped`). Each exchange has an
 * id of its sender's own, so scrapes at the same time are kept apart.
 */
export type MetricsFromWorker =
  | { kind: 'metrics.scrape'; id: number }
  | { kind: 'metrics.collected'; id: number; metrics: WorkerMetrics };

export type MetricsToWorker =
  | { kind: 'metrics.collect'; id: number }
  | { kind: 'metrics.scraped'; id: number; text: string; missing: number[] };

/** Whether a message a worker received is one of these (the channel carries Node's own messages too). */
export function isMetricsToWorker(message: unknown): message is MetricsToWorker {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return kind === 'metrics.collect' || kind === 'metrics.scraped';
}
