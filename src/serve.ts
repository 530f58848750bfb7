import { loadConfig } from './config/load.js';
import { createGatehouse } from './gatehouse.js';
import { startupBanner } from './startup-banner.js';

/**
 * Starts Gatehouse from its environment the one way both `npm start` (main.ts) and
 * `gatehouse serve` do: load the configuration, start (createGatehouse), listen, print the start
 * banner. Resolves with the exit status once SIGINT or SIGTERM has closed the server: 0, or 1
 * when closing failed. A start that fails rejects, for the caller to report.
 */
export async function serve(env: NodeJS.ProcessEnv | undefined, out: { write(text: string): unknown }, err: { write(text: string): unknown }): Promise<number> {
  const config = loadConfig(env);
  const { app, startup } = await createGatehouse(config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // A port in use: what the start opened (the database pool, timers) must not keep the process alive.
    await app.close();
    throw error;
  }
  // Heard before the banner says the server is ready: whoever waits for the banner and then stops it is obeyed.
  const stopped = new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      app.close().then(
        () => resolve(0),
        (error: unknown) => {
          err.write(`gatehouse: stopping failed: ${(error as Error).message ?? String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.write(startupBanner(config, startup));
  return stopped;
}
