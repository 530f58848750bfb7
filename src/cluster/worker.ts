import { loadConfig } from '../config/load.js';
import type { ErrorCode } from '../errors/codes.js';
import type { StartupReport } from '../gatehouse.js';
import { listening, startFailure, untilSignalled } from '../serve.js';
import type { MetricsFromWorker } from './metrics-messages.js';

/** What a worker tells its supervisor (supervisor.ts): once, that it listens or why it could not start; then what the metrics of a scrape need (metrics-messages.ts). */
export type WorkerMessage =
  | { kind: 'ready'; startup: StartupReport }
  | { kind: 'failed'; code: ErrorCode; message: string }
  | MetricsFromWorker;

/** Resolves once the message is sent, or could not be (a supervisor already gone is not waited for). */
const tell = (message: WorkerMessage) => new Promise<void>((resolve) => {
  if (process.send) process.send(message, undefined, {}, () => resolve());
  else resolve();
});

/*
 * One worker of `gatehouse serve --workers N`, the process the supervisor forks: the server of
 * serve.ts on the port all workers share, stopped by the signal the supervisor forwards. It
 * prints no banner (the supervisor prints one for all) and, like main.ts, exits the process.
 */
try {
  const { app, startup } = await listening(loadConfig());
  const stopped = untilSignalled(app, process.stderr);
  await tell({ kind: 'ready', startup });
  process.exit(await stopped);
} catch (error) {
  const failure = startFailure(error);
  await tell({ kind: 'failed', code: failure.code, message: failure.message });
  process.exit(1);
}
