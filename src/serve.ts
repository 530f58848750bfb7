import type { FastifyInstance } from 'fastify';
import { defaults } from './config/defaults.js';
import { loadConfig, type GatehouseConfig } from './config/load.js';
import { GatehouseError, isGatehouseError } from './errors/gatehouse-error.js';
import type { StartupReport } from './gatehouse.js';
import { startupBanner } from './startup-banner.js';

type Output = { write(text: string): unknown };

export interface ServeOptions {
  /** `gatehouse serve --workers`: beats GATEHOUSE_WORKERS. */
  workers?: number;
}

/**
 * Starts Gatehouse from its environment the one way both `npm start` (main.ts) and
 * `gatehouse serve` do: load the configuration, start, listen, print the start banner. With more
 * than one worker the processes are the supervisor's (cluster/supervisor.ts), and this process
 * only supervises them. Resolves with the exit status once SIGINT or SIGTERM has stopped the
 * server: 0, or 1 when stopping failed. A start that fails rejects, for the caller to report.
 */
export async function serve(env: NodeJS.ProcessEnv | undefined, out: Output, err: Output, options: ServeOptions = {}): Promise<number> {
  const config = loadConfig(env);
  const workers = options.workers ?? config.workers;
  if (workers > 1) {
    const { superviseWorkers } = await import('./cluster/supervisor.js');
    return superviseWorkers({ workers, env, err, ready: (startup) => out.write(startupBanner(config, startup)) });
  }
  const { app, startup } = await listening(config);
  // Heard before the banner says the server is ready: whoever waits for the banner and then stops it is obeyed.
  const stopped = untilSignalled(app, err);
  out.write(startupBanner(config, startup));
  return stopped;
}

/** Starts Gatehouse and listens on the configured port (shared with the other workers in a worker). */
export async function listening(config: GatehouseConfig): Promise<{ app: FastifyInstance; startup: StartupReport }> {
  // Loaded here, not above: a supervisor of workers never starts a server of its own.
  const { createGatehouse } = await import('./gatehouse.js');
  const { app, startup } = await createGatehouse(config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // A port in use: what the start opened (the database pool, timers) must not keep the process alive.
    await app.close();
    throw error;
  }
  return { app, startup };
}

/**
 * Resolves with the exit status once SIGINT or SIGTERM has closed the server: the listener
 * first, then the requests already accepted are answered, then the audit log is flushed and the
 * database closed (gatehouse.ts). Draining that takes longer than `drainSeconds` ends the
 * process with status 1 and a line saying so: a supervisor's SIGKILL would follow anyway, and
 * this way the reason is in the log.
 */
export function untilSignalled(app: FastifyInstance, err: Output): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    // Kept after the first: a terminal's Ctrl-C reaches a worker from both the terminal and the supervisor, and a second signal unheard would kill it mid-drain.
    const stop = () => {
      if (stopping) return;
      stopping = true;
      const bound = setTimeout(() => {
        err.write(`gatehouse: requests were still being answered ${defaults.drainSeconds} s after the signal to stop; exiting without them\n`);
        // The one exit outside main.ts: what holds the process (an unanswered request) is exactly what it gives up.
        process.exit(1);
      }, defaults.drainSeconds * 1000);
      const done = (code: number) => {
        clearTimeout(bound);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(code);
      };
      app.close().then(
        () => done(0),
        (error: unknown) => {
          err.write(`gatehouse: stopping failed: ${(error as Error).message ?? String(error)}\n`);
          done(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** A start that failed, as the error to report: its own when it is Gatehouse's, else one saying the start failed. */
export function startFailure(error: unknown): GatehouseError {
  if (isGatehouseError(error)) return error;
  return new GatehouseError('internal_error', `failed to start: ${(error as Error).message ?? String(error)}`, { cause: error });
}
