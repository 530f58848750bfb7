import { isGatehouseError } from './errors/gatehouse-error.js';
import { serve } from './serve.js';

/** `npm start`: Gatehouse until SIGINT or SIGTERM (serve.ts, shared with `gatehouse serve`); the only place that exits the process. */
serve(undefined, process.stdout, process.stderr).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // At start every message is for the operator, who needs the reason and not a stack trace.
    const reason = isGatehouseError(error) ? error.message : `failed to start: ${(error as Error).message ?? String(error)}`;
    process.stderr.write(`gatehouse: ${reason}\n`);
    process.exit(1);
  },
);
