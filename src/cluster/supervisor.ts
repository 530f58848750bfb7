import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { defaults } from '../config/defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { StartupReport } from '../gatehouse.js';
import { createMetricsGatherer } from './gather-metrics.js';
import type { WorkerMessage } from './worker.js';

export interface SupervisorOptions {
  workers: number;
  /** The workers' environment, added to this process's; undefined: this process's own. */
  env: NodeJS.ProcessEnv | undefined;
  err: { write(text: string): unknown };
  /** Called once, when every worker listens, with the first worker's start (the one that migrated and applied the configuration file). */
  ready(startup: StartupReport): void;
}

// worker.js in dist/, worker.ts when the sources run through tsx (npm run dev).
const workerEntry = fileURLToPath(new URL(`./worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

type Started = { kind: 'ready'; startup: StartupReport } | { kind: 'failed'; error: GatehouseError };

const exited = (code: number | null, signal: string | null) => (signal ? `was killed by ${signal}` : `exited with status ${code}`);

/**
 * `gatehouse serve --workers N`: N server processes sharing the port through node:cluster, and
 * this process supervising them. The first worker starts alone, so that migrations, the master
 * secret, the configuration file and the first administrator are done once; the others start
 * together after it and find them done. The start banner is printed once all listen.
 *
 * A worker that crashes is replaced, at once unless workers crashed quickly before, then after a
 * wait that doubles (defaults.workerRestart); workers that fail to start `maxStartFailures` times
 * in a row stop everything, as a failed first start does: the promise rejects with the reason.
 * SIGTERM and SIGINT are forwarded to every worker, which drains (serve.ts); the promise resolves
 * with 0 once all have exited cleanly, 1 otherwise, and a worker still running a second after
 * its own bound is killed.
 */
export function superviseWorkers({ workers, env, err, ready }: SupervisorOptions): Promise<number> {
  cluster.setupPrimary({ exec: workerEntry, args: [] });
  const live = new Set<Worker>();
  const listening = new Set<Worker>();
  const startedAt = new Map<Worker, number>();
  const restarts = new Set<NodeJS.Timeout>();
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let outcome: number | GatehouseError = 0;
  let unclean = false;
  let forwarded: NodeJS.Signals = 'SIGTERM';
  let bound: NodeJS.Timeout | undefined;
  let quickCrashes = 0;
  let startFailures = 0;
  let settle: (outcome: number | GatehouseError) => void = () => {};
  // A scrape of /metrics reaches one worker; the metrics of all of them are summed here (gather-metrics.ts).
  const metrics = createMetricsGatherer({ workers: () => listening, timeoutMilliseconds: defaults.observability.workerMetricsMilliseconds });
  const finished = new Promise<number>((resolve, reject) => {
    settle = (result) => (typeof result === 'number' ? resolve(result) : reject(result));
  });

  function start(): Promise<Started> {
    if (phase === 'stopping') return Promise.resolve({ kind: 'failed', error: new GatehouseError('internal_error', 'stopped while starting') });
    const worker = env ? cluster.fork(env) : cluster.fork();
    live.add(worker);
    startedAt.set(worker, performance.now());
    return new Promise((resolve) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') {
          listening.add(worker);
          resolve({ kind: 'ready', startup: message.startup });
        } else if (message.kind === 'failed') {
          resolve({ kind: 'failed', error: new GatehouseError(message.code, message.message) });
        } else {
          metrics.heard(worker, message);
        }
      });
      worker.once('exit', (code, signal) => {
        resolve({ kind: 'failed', error: new GatehouseError('internal_error', `a worker ${exited(code, signal)} before it listened`) });
      });
    });
  }

  function stopAll(signal: NodeJS.Signals, result: number | GatehouseError): void {
    if (phase === 'stopping') return;
    phase = 'stopping';
    outcome = result;
    forwarded = signal;
    for (const timer of restarts) clearTimeout(timer);
    bound = setTimeout(() => {
      err.write(`gatehouse: ${live.size} worker(s) still running ${defaults.drainSeconds + 1} s after the signal to stop; killing them\n`);
      unclean = true;
      for (const worker of live) worker.process.kill('SIGKILL');
    }, (defaults.drainSeconds + 1) * 1000);
    for (const worker of live) worker.process.kill(signal);
    settleOnceAllExited();
  }

  function settleOnceAllExited(): void {
    if (phase !== 'stopping' || live.size > 0) return;
    clearTimeout(bound);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cluster.off('exit', onExit);
    settle(typeof outcome === 'number' && unclean ? 1 : outcome);
  }

  /** Starts a worker in place of one that crashed, after `delay`; gives up after too many failed starts in a row. */
  function replaceAfter(delay: number): void {
    const timer = setTimeout(async () => {
      restarts.delete(timer);
      const result = await start();
      if (result.kind === 'ready' || phase !== 'running') {
        startFailures = 0;
        return;
      }
      startFailures += 1;
      if (startFailures >= defaults.workerRestart.maxStartFailures) {
        stopAll('SIGTERM', new GatehouseError(result.error.code, `workers failed to start ${startFailures} times in a row, so Gatehouse stopped; the last time: ${result.error.message}`));
        return;
      }
      quickCrashes += 1;
      err.write(`gatehouse: a new worker failed to start (${result.error.message}); trying again in ${backoff() / 1000} s\n`);
      replaceAfter(backoff());
    }, delay);
    restarts.add(timer);
  }

  const backoff = () => (quickCrashes === 0 ? 0 : Math.min(
    defaults.workerRestart.maxDelayMilliseconds,
    defaults.workerRestart.firstDelayMilliseconds * 2 ** (quickCrashes - 1),
  ));

  function onExit(worker: Worker, code: number | null, signal: string | null): void {
    live.delete(worker);
    const wasListening = listening.delete(worker);
    const ranSeconds = (performance.now() - (startedAt.get(worker) ?? 0)) / 1000;
    startedAt.delete(worker);
    if (phase === 'stopping') {
      // A worker still starting when the signal came has no requests to drain: dying of that signal is its clean stop.
      if (code !== 0 && !(signal === forwarded && !wasListening)) unclean = true;
      settleOnceAllExited();
      return;
    }
    // A worker that never listened is reported by its start(); only a running one is replaced here.
    if (phase !== 'running' || !wasListening) return;
    quickCrashes = ranSeconds >= defaults.workerRestart.stableSeconds ? 0 : quickCrashes + 1;
    const delay = backoff();
    err.write(`gatehouse: worker ${worker.process.pid} ${exited(code, signal)}; starting another${delay > 0 ? ` in ${delay / 1000} s` : ''}\n`);
    replaceAfter(delay);
  }

  // Heard from the first fork on: a signal during the start stops the workers started so far.
  const onSignal = (signal: NodeJS.Signals) => stopAll(signal, 0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  cluster.on('exit', onExit);

  void (async () => {
    const first = await start();
    if (first.kind === 'failed') return stopAll('SIGTERM', first.error);
    const others = await Promise.all(Array.from({ length: workers - 1 }, start));
    const failed = others.find((result): result is Extract<Started, { kind: 'failed' }> => result.kind === 'failed');
    if (failed) return stopAll('SIGTERM', failed.error);
    if (phase !== 'starting') return;
    phase = 'running';
    // The first worker's start is the one that did what the banner reports (a generated secret, the administrator).
    ready(first.startup);
  })();
  return finished;
}
