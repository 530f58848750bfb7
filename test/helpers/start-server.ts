import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, type StartupReport } from '../../src/app.js';
import { loadConfig, type GatehouseConfig } from '../../src/config/load.js';
import { createPostgresDatabase, type TestDialect } from './databases.js';
import { freePort } from './free-port.js';

export interface StartOptions {
  /** The declarations of a configuration file (applications, users, scopes, security). */
  declarations?: Record<string, unknown>;
  dialect?: TestDialect;
  /** Extra environment variables for the config loader. */
  env?: Record<string, string>;
}

export interface TestServer {
  url: string;
  issuer: string;
  config: GatehouseConfig;
  startup: StartupReport;
  app: FastifyInstance;
  /** Stops the listener and starts a new process-equivalent on the same data and port. */
  restart(): Promise<void>;
  /** A second instance on the same database (PostgreSQL) on its own port. */
  startSibling(): Promise<TestServer>;
  close(): Promise<void>;
}

const testSecret = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Starts the real Gatehouse on a free port with a temporary data directory (and, for the
 * postgres dialect, a database of its own), the way `npm start` does.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-test-'));
  const env: Record<string, string> = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_LOG_LEVEL: 'silent', ...options.env };
  if (options.declarations) {
    const file = path.join(dataDir, 'gatehouse.json');
    await writeFile(file, JSON.stringify(options.declarations, null, 2));
    env.GATEHOUSE_CONFIG = file;
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
    const server = await launch(env, cleanup);
    return server;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Listens on a free port; a sibling keeps the first instance's public URL, as behind one load balancer. */
async function launch(baseEnv: Record<string, string>, cleanup: () => Promise<void>, publicUrl?: string): Promise<TestServer> {
  const listenPort = await freePort();
  const env: Record<string, string> = { ...baseEnv, PORT: String(listenPort), GATEHOUSE_HOST: '127.0.0.1' };
  env.GATEHOUSE_PUBLIC_URL = publicUrl ?? `http://127.0.0.1:${listenPort}`;
  const config = loadConfig(env);
  const logger = pino({ level: env.GATEHOUSE_LOG_LEVEL ?? 'silent' });
  let current = await buildApp(config, { logger });
  await current.app.listen({ port: listenPort, host: '127.0.0.1' });
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
    async restart() {
      await current.app.close();
      current = await buildApp(config, { logger });
      await current.app.listen({ port: listenPort, host: '127.0.0.1' });
    },
    async startSibling() {
      const sibling = await launch(baseEnv, async () => {}, config.publicUrl.origin);
      siblings.push(sibling);
      return sibling;
    },
    async close() {
      for (const sibling of siblings) await sibling.close();
      await current.app.close();
      await cleanup();
    },
  };
  return server;
}
