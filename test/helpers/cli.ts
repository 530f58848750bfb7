import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import type { TestServer } from './start-server.js';

/** The environment the server was started with, as an operator would give it to the CLI. */
export function serverEnvironment(server: TestServer): Record<string, string> {
  const { config } = server;
  const env: Record<string, string> = { GATEHOUSE_DATA_DIR: config.dataDir, GATEHOUSE_LOG_LEVEL: 'silent' };
  if (config.configFile) env.GATEHOUSE_CONFIG = config.configFile;
  if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
  if (config.secret) env.GATEHOUSE_SECRET = config.secret;
  return env;
}

/**
 * Runs a `gatehouse` command in-process against the server's data, as the operator would beside
 * it; `envChanges` replaces (or, as undefined, removes) variables of the server's environment.
 */
export async function gatehouse(
  server: TestServer, argv: string[], stdinText = '', envChanges: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: Object.fromEntries(Object.entries({ ...serverEnvironment(server), ...envChanges }).filter(([, value]) => value !== undefined)),
  });
  return { code, stdout, stderr };
}
