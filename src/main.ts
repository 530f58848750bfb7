import { serve, startFailure } from './serve.js';

/**
 * `node dist/main.js` (and `npm start`, which execs its bundle, dist/server/main.js): Gatehouse until SIGINT or SIGTERM
 * (serve.ts, shared with `gatehouse serve`); the place that exits the process, but for the bound
 * on draining (serve.ts).
 */
serve(undefined, process.stdout, process.stderr).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // At start every message is for the operator, who needs the reason and not a stack trace.
    process.stderr.write(`gatehouse: ${startFailure(error).message}\n`);
    process.exit(1);
  },
);
