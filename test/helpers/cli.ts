import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run-cli.js';
import type { TestServer } from './start-server.js';

/*
 * Two ways to run `gatehouse`: in-process (gatehouse, gatehouseIn: the bin's runCli from src/,
 * through tsx, fast, and able to fake a terminal), and the built bin as a process of its own
 * (runGatehouse, spawnGatehouse: package.json's bin, dist/cli/main.js, with plain node), which
 * needs a current build (assertCurrentBuild).
 */

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
const require = createRequire(import.meta.url);
const packageJson = require(path.join(root, 'package.json')) as { bin: { gatehouse: string } };

/** The `gatehouse` bin as npm installs it: package.json's bin, the build's dist/cli/main.js. */
export const gatehouseBin = path.join(root, packageJson.bin.gatehouse);
/** What `npm start` runs: the build's bundle of dist/main.js (scripts/bundle-server.mjs). */
export const startScript = path.join(root, 'dist/server/main.js');

let buildIsCurrent = false;

/**
 * Throws unless dist/ is the build of src/ as it is now, so that a test of the built bin never
 * passes or fails on yesterday's code. `npm test` builds before it runs the tests; a test file
 * run on its own needs `npm run build` first. This only checks, never builds, so two test files
 * running at once never build into the same dist/. TypeScript's own up-to-date check of
 * `tsc -b` decides, on the contents of the sources: one that was touched but not changed since
 * the build does not make it stale, as its modification time alone would.
 */
export function assertCurrentBuild(): void {
  if (buildIsCurrent) return;
  const ts = require('typescript') as typeof import('typescript');
  const reasons: string[] = [];
  const host = ts.createSolutionBuilderHost(ts.sys, undefined, () => {}, (diagnostic) => {
    reasons.push(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
  });
  const builder = ts.createSolutionBuilder(host, [path.join(root, 'tsconfig.build.json')], { verbose: true });
  const next = builder.getNextInvalidatedProject();
  // UpdateOutputFileStamps: sources touched, not changed; what the build made of them is current.
  if (next !== undefined && next.kind !== ts.InvalidatedProjectKind.UpdateOutputFileStamps) {
    const why = reasons.find((reason) => / is out of date because /.test(reason)) ?? reasons.join(' ');
    throw new Error(
      `dist/ is not a build of the current src/, and these tests run the built bin (${path.relative(root, gatehouseBin)}): `
      + `run \`npm run build\` first (\`npm test\` does). TypeScript says: ${why}`,
    );
  }
  for (const file of [gatehouseBin, startScript]) {
    if (!existsSync(file)) {
      throw new Error(`${path.relative(root, file)} is missing although dist/ looks built: delete dist/ and run \`npm run build\``);
    }
  }
  // The bundle is made from tsc's output after it, by the same `npm run build`: older means a tsc run without it.
  if (statSync(startScript).mtimeMs < statSync(path.join(root, 'dist/main.js')).mtimeMs) {
    throw new Error(`${path.relative(root, startScript)} is older than the build it bundles: run \`npm run build\``);
  }
  buildIsCurrent = true;
}

/**
 * A built Gatehouse script as a process of its own, plain node without tsx. Only `env` is its
 * environment (with PATH), so nothing of the test's leaks in (NODE_OPTIONS neither); it runs in
 * the temporary directory, not in the repository.
 */
function spawnBuilt(script: string, argv: string[], env: Record<string, string>): ChildProcess {
  assertCurrentBuild();
  return spawn(process.execPath, [script, ...argv], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The built `gatehouse` bin (package.json's bin) as a process of its own. */
export function spawnGatehouse(argv: string[], env: Record<string, string>): ChildProcess {
  return spawnBuilt(gatehouseBin, argv, env);
}

/** `npm start` as a process of its own: the bundled dist/server/main.js. */
export function spawnNpmStart(env: Record<string, string>): ChildProcess {
  return spawnBuilt(startScript, [], env);
}

/**
 * What oidc-provider prints to standard error when it is loaded on Node 20 (docs/architecture.md,
 * "oidc-provider on Node 20"): not Gatehouse's output, so runGatehouse leaves it out of stderr.
 */
const nodeRuntimeWarning = /^oidc-provider WARNING: Unsupported runtime\. Use Node\.js v22\.x LTS, or a later LTS release\.\n/m;

/**
 * Runs the built bin to its end, with `stdinText` piped to it: its exit status and what it
 * printed (without oidc-provider's warning on Node 20).
 */
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
  return { code, stdout, stderr: stderr.replace(nodeRuntimeWarning, '') };
}

/** Runs the built bin beside the server, on its data, as the operator would from a shell. */
export function runGatehouseBeside(server: TestServer, argv: string[], stdinText = ''): Promise<CliResult> {
  return runGatehouse(argv, serverEnvironment(server), stdinText);
}
