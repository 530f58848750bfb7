import type { Worker } from 'node:cluster';
import { AggregatorRegistry, Gauge } from 'prom-client';
import type { MetricsFromWorker, MetricsToWorker, WorkerMetrics } from './metrics-messages.js';

export interface GatherOptions {
  /** The workers to ask: those that listen now. */
  workers: () => Iterable<Worker>;
  /** How long a worker has to answer before the scrape goes on without it. */
  timeoutMilliseconds: number;
}

/** Hears the workers' metrics messages (supervisor.ts routes them here). */
export interface MetricsGatherer {
  heard(worker: Worker, message: MetricsFromWorker): void;
}

/** Named in metrics.ts: the default (process) metrics of each worker carry it, so that they stay one series per worker. */
const workerLabel = 'worker';

/**
 * prom-client's aggregation gives every series its metric's `aggregator` over the workers (sum
 * by default, which is what Gatehouse's counters, histograms and gauges want: the instance's
 * total); but a metric whose every series names its worker has nothing to combine, and some of
 * prom-client's aggregators would drop it (process_start_time_seconds is `omit`): summing one
 * value keeps it as the worker reported it.
 */
function perWorkerKept(metrics: WorkerMetrics): WorkerMetrics {
  return metrics.map((metric) =>
    metric.values.length > 0 && metric.values.every((value) => value.labels[workerLabel] !== undefined) ? { ...metric, aggregator: 'sum' } : metric);
}

/** The channel's JSON turns NaN into null, which prom-client would print as "null". */
function numbersRestored(metrics: WorkerMetrics): WorkerMetrics {
  return metrics.map((metric) => ({ ...metric, values: metric.values.map((value) => (typeof value.value === 'number' ? value : { ...value, value: Number.NaN })) }));
}

/**
 * The supervisor's half of a scrape across workers (metrics-messages.ts): asks every listening
 * worker for its metrics, waits at most `timeoutMilliseconds`, sums what came with prom-client's
 * AggregatorRegistry and answers the worker the scrape reached. Workers that did not answer are
 * named, by process id, in the answer (the worker logs them) and counted in the exposition,
 * instead of holding the scrape until Prometheus gives up on it.
 */
export function createMetricsGatherer({ workers, timeoutMilliseconds }: GatherOptions): MetricsGatherer {
  let next = 0;
  const collecting = new Map<number, { waiting: Set<Worker>; answers: WorkerMetrics[]; complete(): void }>();

  function send(worker: Worker, message: MetricsToWorker): void {
    // A worker that exited meanwhile is only missing from the answer: the callback keeps a failed send from being thrown.
    if (worker.isConnected()) worker.send(message, () => {});
  }

  async function gather(): Promise<{ text: string; missing: number[] }> {
    const id = next++;
    const waiting = new Set(workers());
    const answers: WorkerMetrics[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(complete, timeoutMilliseconds);
      function complete() {
        clearTimeout(timer);
        collecting.delete(id);
        resolve();
      }
      collecting.set(id, { waiting, answers, complete });
      for (const worker of waiting) send(worker, { kind: 'metrics.collect', id });
      if (waiting.size === 0) complete();
    });
    const missing = [...waiting].map((worker) => worker.process.pid ?? 0);
    const registry = AggregatorRegistry.aggregate(answers.map((metrics) => perWorkerKept(numbersRestored(metrics))));
    const workersGauge = new Gauge({
      name: 'gatehouse_scrape_workers',
      help: 'Workers of this instance whose metrics this scrape holds (answered), or lacks because they did not answer in time (missing).',
      labelNames: ['state'] as const,
      registers: [registry],
    });
    workersGauge.set({ state: 'answered' }, answers.length);
    workersGauge.set({ state: 'missing' }, missing.length);
    const text = await registry.metrics();
    const note = missing.length === 0 ? '' : `# gatehouse: worker(s) ${missing.join(', ')} did not answer within ${timeoutMilliseconds} ms; their metrics are missing from this scrape\n`;
    return { text: note + text, missing };
  }

  return {
    heard(worker, message) {
      if (message.kind === 'metrics.scrape') {
        // A failure to sum is left unanswered: the asking worker's own bound then answers the scrape with its share alone, and says so.
        gather().then(({ text, missing }) => send(worker, { kind: 'metrics.scraped', id: message.id, text, missing }), () => {});
        return;
      }
      const exchange = collecting.get(message.id);
      if (!exchange?.waiting.delete(worker)) return;
      exchange.answers.push(message.metrics);
      if (exchange.waiting.size === 0) exchange.complete();
    },
  };
}
