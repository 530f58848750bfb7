import { createGatehouse } from './gatehouse.js';
import { loadConfig } from './config/load.js';
import { isGatehouseError } from './errors/gatehouse-error.js';
import { startupBanner } from './startup-banner.js';

/** Starts Gatehouse: the only place that listens and the only place that exits the process. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { app, startup } = await createGatehouse(config);
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(startupBanner(config, startup));
  const stop = () => {
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // At start every message is for the operator, who needs the reason and not a stack trace.
  const reason = isGatehouseError(error) ? error.message : `failed to start: ${(error as Error).message ?? String(error)}`;
  process.stderr.write(`gatehouse: ${reason}\n`);
  process.exit(1);
});
