import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatehouseConfigFile } from './fixture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One server under test, in a process of its own. */
export interface Target {
  name: string;
  /** Where the engine's endpoints are: the issuer. */
  issuer: string;
  origin: string;
  process: ChildProcess;
  /** Spawn to the first successful readiness answer. */
  startMs: number;
  /** Present for Gatehouse: where its data is. */
  dataDir?: string;
  databaseUrl?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  return [pid, ...children.flatMap(processTree)];
}

/** Resident memory of a process and its children (a supervisor's workers) in MB, as the kernel counts it (VmRSS). */
export function rssMb(pid: number): number {
  let kb = 0;
  for (const one of processTree(pid)) kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${one}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

async function untilAnswers(url: string, child: ChildProcess, output: () => string): Promise<void> {
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`${url}: the process exited (${exited}) before it was ready:\n${output()}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

export interface GatehouseOptions {
  /** Reuse this data directory (a restart); a new temporary one otherwise. */
  dataDir?: string;
  databaseUrl?: string;
  workers?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  logFile: string;
}

/**
 * Gatehouse as `npm start` runs it (node dist/server/main.js, the built and bundled code), in production mode, logging
 * at its default level to a file, with the bench's applications and user in its configuration file.
 */
export async function startGatehouse(options: GatehouseOptions): Promise<Target> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'gatehouse-bench-')));
  const configFile = path.join(dataDir, 'bench-config.json');
  await writeFile(configFile, gatehouseConfigFile());
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_PUBLIC_URL: origin,
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_CONFIG: configFile,
    GATEHOUSE_ADMIN_PASSWORD: 'bench-admin-password-not-used-4411',
    // One process, as the reference is: the same work on the same cores. More workers is a scenario of its own.
    GATEHOUSE_WORKERS: String(options.workers ?? 1),
  };
  if (options.databaseUrl) {
    env.DATABASE_URL = options.databaseUrl;
    env.GATEHOUSE_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
  }
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), path.join(root, 'dist/server/main.js')], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  await untilAnswers(`${origin}/readyz`, child, () => readFileSync(options.logFile, 'utf8').slice(-2000));
  const startMs = performance.now() - started;
  return { name: 'gatehouse', issuer: `${origin}/oidc`, origin, process: child, startMs, dataDir, databaseUrl: options.databaseUrl, stop: stopper(child) };
}

/** The bare engine (reference-server.ts), through tsx like the bench itself. */
export async function startReference(options: { jwt: boolean; logFile: string }): Promise<Target> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/reference-server.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), BENCH_REFERENCE_JWT: options.jwt ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  await untilAnswers(`${origin}/.well-known/openid-configuration`, child, () => readFileSync(options.logFile, 'utf8').slice(-2000));
  return { name: options.jwt ? 'reference (JWT)' : 'reference', issuer: origin, origin, process: child, startMs: performance.now() - started, stop: stopper(child) };
}
