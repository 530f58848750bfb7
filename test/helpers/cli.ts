import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run-cli.js';
import type { TestServer } from './start-server.js';

/** What a command printed and its exit status. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment the server was started with, as an operator would give it to the CLI. */
export function serverEnvironment(server: TestServer): Record<string, string> {
  const { config } = server;
  const env: Record<string, string> = { GATEHOUSE_DATA_DIR: config.dataDir, GATEHOUSE_LOG_LEVEL: 'silent' };
  if (config.configFile) env.GATEHOUSE_CONFIG = config.configFile;
  if (config.databaseUrl) env.DATABASE_URL = config.databaseUrl;
  if (config.secret) env.GATEHOUSE_SECRET = config.secret;
  return env;
}

/** Standard error as a test sees it: a pipe, or a terminal when `terminal` is set (for progress bars). */
export interface CliStreams {
  terminal?: boolean;
}

/**
 * Runs a `gatehouse` command in-process (the bin's runCli, through tsx) in the given environment,
 * with `stdinText` piped to it; undefined values are left out of the environment.
 */
export async function gatehouseIn(
  env: Record<string, string | undefined>, argv: string[], stdinText = '', streams: CliStreams = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: streams.terminal ?? false, columns: 100 },
    env: Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined)) as Record<string, string>,
  });
  return { code, stdout, stderr };
}

/**
 * Runs a `gatehouse` command in-process against the server's data, as the operator would beside
 * it; `envChanges` replaces (or, as undefined, removes) variables of the server's environment.
 */
export async function gatehouse(
  server: TestServer, argv: string[], stdinText = '', envChanges: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return gatehouseIn({ ...serverEnvironment(server), ...envChanges }, argv, stdinText);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The `gatehouse` bin as a process of its own: its entry point (src/cli/main.ts, which the build
 * compiles to the package's bin, dist/cli/main.js) run through tsx, as every test runs the source.
 * Only `env` is its environment (with PATH), so nothing of the test's leaks in.
 */
export function spawnGatehouse(argv: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...argv], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the bin to its end: its exit status and what it printed. */
export async function runGatehouse(argv: string[], env: Record<string, string>, stdinText = ''): Promise<CliResult> {
  const child = spawnGatehouse(argv, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin!.end(stdinText);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
  });
  return { code, stdout, stderr };
}
