import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { AuditLog } from '../../src/audit/audit-log.js';
import type { SweepResult } from '../../src/db/sweep-expired.js';
import { createGatehouse, type Gatehouse, type StartupReport } from '../../src/gatehouse.js';
import { loadConfig, type GatehouseConfig } from '../../src/config/load.js';
import { openStorage } from '../../src/db/open-storage.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { Storage } from '../../src/db/database.js';
import type { Clock } from '../../src/runtime/clock.js';
import type { Services } from '../../src/services.js';
import type { PasswordHasher } from '../../src/users/password-hasher.js';
import { createPostgresDatabase, type TestDialect } from './databases.js';
import { freePort } from './free-port.js';

export interface StartOptions {
  /** The declarations of a configuration file (applications, users, scopes, security). */
  declarations?: Record<string, unknown>;
  /** The configuration file verbatim instead, e.g. YAML (with `declarations`, this wins). */
  configText?: string;
  dialect?: TestDialect;
  /** Extra environment variables for the config loader. */
  env?: Record<string, string>;
  /**
   * Gatehouse's own time (locks, counters, stored expiry), shared by restarts and siblings, so a
   * test can move it instead of sleeping. oidc-provider reads Date.now: `pinTime` (test-clock.ts)
   * pins both.
   */
  clock?: Clock;
  /** How passwords are hashed and verified, e.g. one that counts verifications. */
  hasher?: PasswordHasher;
  /** The public URL, e.g. https behind a TLS proxy; the server still listens on http on 127.0.0.1. */
  publicUrl?: string;
  /** Keeps every log line (level info and up, as `npm start` logs) in this array, for a test of what is logged. */
  logLines?: string[];
}

export interface TestServer {
  url: string;
  issuer: string;
  config: GatehouseConfig;
  startup: StartupReport;
  app: FastifyInstance;
  /** The running instance's services, for checks a test cannot make over HTTP. */
  services: Services;
  /** The running instance's audit log writer: `flush()` writes what requests recorded, before a test reads the table. */
  audit: AuditLog;
  /** Runs the instance's periodic sweep now (expired rows, audit events past their retention) instead of waiting a minute. */
  sweep(): Promise<SweepResult>;
  /** Resolves once what routes do after their answer (the forgot-password message) has settled: a test reads the outbox then, without polling. */
  settled(): Promise<void>;
  /**
   * Stops the listener and starts a new process-equivalent on the same data and port, with the
   * configuration file replaced first when a change is given. A failed start leaves the
   * server stopped; a later restart may start it again.
   */
  restart(change?: ConfigChange): Promise<void>;
  /** A connection of the test's own to the server's database, to check what was stored. */
  openStorage(): Storage;
  /** A second instance on the same database (PostgreSQL) on its own port. */
  startSibling(): Promise<TestServer>;
  close(): Promise<void>;
}

/** A new content for the configuration file: declarations as JSON, or text verbatim. */
export type ConfigChange = { declarations: Record<string, unknown> } | { configText: string };

const testSecret = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Starts the real Gatehouse on a free port with a temporary data directory (and, for the
 * postgres dialect, a database of its own), the way `npm start` does.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-test-'));
  const env: Record<string, string> = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent', ...options.env };
  if (options.configText !== undefined) {
    env.GATEHOUSE_CONFIG = path.join(dataDir, 'gatehouse.yaml');
    await writeConfig(env.GATEHOUSE_CONFIG, { configText: options.configText });
  } else if (options.declarations) {
    env.GATEHOUSE_CONFIG = path.join(dataDir, 'gatehouse.json');
    await writeConfig(env.GATEHOUSE_CONFIG, { declarations: options.declarations });
  }
  const database = options.dialect === 'postgres' ? await createPostgresDatabase() : undefined;
  if (database) {
    env.DATABASE_URL = database.url;
    env.GATEHOUSE_SECRET ??= testSecret;
  }
  const cleanup = async () => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const server = await launch(env, cleanup, options, options.publicUrl);
    return server;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function writeConfig(file: string, change: ConfigChange): Promise<void> {
  return writeFile(file, 'configText' in change ? change.configText : JSON.stringify(change.declarations, null, 2));
}

/** Listens on a free port; a sibling keeps the first instance's public URL, as behind one load balancer. */
async function launch(baseEnv: Record<string, string>, cleanup: () => Promise<void>, options: Pick<StartOptions, 'clock' | 'hasher' | 'logLines'>, publicUrl?: string): Promise<TestServer> {
  const listenPort = await freePort();
  const env: Record<string, string> = { ...baseEnv, PORT: String(listenPort), GATEHOUSE_HOST: '127.0.0.1' };
  env.GATEHOUSE_PUBLIC_URL = publicUrl ?? `http://127.0.0.1:${listenPort}`;
  const config = loadConfig(env);
  const { logLines } = options;
  // Kept lines go through Gatehouse's own logger, with what it leaves out of the log.
  const logger = logLines
    ? createLogger('info', { write: (line: string) => void logLines.push(line) })
    : pino({ level: env.GATEHOUSE_LOG_LEVEL ?? 'silent' });
  const deps = { logger, ...(options.clock ? { clock: options.clock } : {}), ...(options.hasher ? { hasher: options.hasher } : {}) };
  let current: Gatehouse = await createGatehouse(config, deps);
  await current.app.listen({ port: listenPort, host: '127.0.0.1' });
  let running = true;
  const siblings: TestServer[] = [];
  const server: TestServer = {
    url: `http://127.0.0.1:${listenPort}`,
    issuer: config.issuer,
    config,
    get startup() {
      return current.startup;
    },
    get app() {
      return current.app;
    },
    get services() {
      return current.services;
    },
    get audit() {
      return current.audit;
    },
    sweep() {
      return current.sweep();
    },
    settled() {
      return current.settled();
    },
    async restart(change?: ConfigChange) {
      if (running) await current.app.close();
      running = false;
      if (change) {
        if (!config.configFile) throw new Error('this server was started without a configuration file');
        await writeConfig(config.configFile, change);
      }
      current = await createGatehouse(config, deps);
      await current.app.listen({ port: listenPort, host: '127.0.0.1' });
      running = true;
    },
    openStorage() {
      return openStorage(config);
    },
    async startSibling() {
      const sibling = await launch(baseEnv, async () => {}, options, config.publicUrl.origin);
      siblings.push(sibling);
      return sibling;
    },
    async close() {
      for (const sibling of siblings) await sibling.close();
      if (running) await current.app.close();
      running = false;
      await cleanup();
    },
  };
  return server;
}
