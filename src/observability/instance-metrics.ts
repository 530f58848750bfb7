import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import { isMetricsToWorker, type MetricsFromWorker, type MetricsToWorker } from '../cluster/metrics-messages.js';

export interface Exposition {
  /** Prometheus's text format. */
  text: string;
  /** The process ids of workers whose metrics it lacks: they did not answer the supervisor in time. */
  missing: number[];
  /** The supervisor did not answer at all: the text is this worker's metrics alone. */
  alone: boolean;
}

/** What a scrape of /metrics returns: this process's metrics, or with workers the whole instance's. */
export interface InstanceMetrics {
  scrape(): Promise<Exposition>;
  /** Stops answering the supervisor (the server is closing). */
  stop(): void;
}

const send = (message: MetricsFromWorker) => {
  // A supervisor already gone cannot be told; the callback keeps that from being thrown.
  process.send?.(message, undefined, {}, () => {});
};

/**
 * In a worker of `gatehouse serve --workers N` (node:cluster), each process counts in a registry
 * of its own, and a scrape reaches whichever worker the connection went to. This worker then asks
 * the supervisor for everyone's (cluster/gather-metrics.ts) and answers the supervisor's requests
 * for its own. The supervisor waits `timeoutMilliseconds` for each worker; this worker waits twice
 * that for the supervisor, which leaves it the time to sum, before it answers with its own
 * metrics alone rather than keep the scrape waiting. Outside a cluster: the registry, as is.
 */
export function createInstanceMetrics(registry: Registry, timeoutMilliseconds: number): InstanceMetrics {
  if (!cluster.isWorker || !process.send) {
    return { scrape: async () => ({ text: await registry.metrics(), missing: [], alone: false }), stop() {} };
  }
  let next = 0;
  const asked = new Map<number, (answer: Extract<MetricsToWorker, { kind: 'metrics.scraped' }>) => void>();
  const heard = (message: unknown) => {
    if (!isMetricsToWorker(message)) return;
    if (message.kind === 'metrics.scraped') {
      asked.get(message.id)?.(message);
      return;
    }
    registry.getMetricsAsJSON().then((metrics) => send({ kind: 'metrics.collected', id: message.id, metrics }), () => {});
  };
  process.on('message', heard);
  return {
    async scrape() {
      const id = next++;
      const answer = await new Promise<Extract<MetricsToWorker, { kind: 'metrics.scraped' }> | undefined>((resolve) => {
        const timer = setTimeout(() => {
          asked.delete(id);
          resolve(undefined);
        }, 2 * timeoutMilliseconds);
        asked.set(id, (scraped) => {
          clearTimeout(timer);
          asked.delete(id);
          resolve(scraped);
        });
        send({ kind: 'metrics.scrape', id });
      });
      if (answer) return { text: answer.text, missing: answer.missing, alone: false };
      const note = `# gatehouse: the supervisor did not answer within ${2 * timeoutMilliseconds} ms; these are the metrics of worker ${process.pid} alone\n`;
      return { text: note + (await registry.metrics()), missing: [], alone: true };
    },
    stop() {
      process.off('message', heard);
    },
  };
}
