import path from 'node:path';
import { z } from 'zod';
import { defaults } from './defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { parseCidrList, type Cidr } from './cidr.js';

/** Everything Gatehouse reads from its environment, validated once at start. */
export interface GatehouseConfig {
  port: number;
  host: string;
  /** The external origin, e.g. https://id.example.com; the issuer is this plus /oidc. */
  publicUrl: URL;
  issuer: string;
  dataDir: string;
  /** Set for PostgreSQL; absent means the embedded SQLite file in dataDir. */
  databaseUrl: string | undefined;
  secret: string | undefined;
  configFile: string | undefined;
  adminPassword: string | undefined;
  trustedProxies: Cidr[];
  logLevel: string;
  /** GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: upstream identity providers may be on private and loopback addresses, over plain http too. */
  allowPrivateUpstreams: boolean;
  /** GATEHOUSE_WORKERS: server processes sharing the port (src/cluster/); 1 runs the server in this process. */
  workers: number;
  /** GATEHOUSE_METRICS_TOKEN: /metrics is served, to a scrape that presents it as a bearer token; absent, /metrics does not exist. */
  metricsToken: string | undefined;
}

const workersMessage = `must be a whole number from 1 to ${defaults.maxWorkers}`;

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(defaults.port),
  GATEHOUSE_HOST: z.string().min(1).default(defaults.host),
  GATEHOUSE_PUBLIC_URL: z.string().optional(),
  GATEHOUSE_DATA_DIR: z.string().min(1).default(defaults.dataDir),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  GATEHOUSE_SECRET: z
    .string()
    .min(defaults.minimumSecretLength, `must be at least ${defaults.minimumSecretLength} characters (use: openssl rand -base64 32)`)
    .optional(),
  GATEHOUSE_CONFIG: z.string().min(1).optional(),
  GATEHOUSE_ADMIN_PASSWORD: z.string().min(1).optional(),
  GATEHOUSE_TRUSTED_PROXIES: z.string().optional(),
  GATEHOUSE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(defaults.logLevel),
  // Off unless said in so many words: reaching the internal network is what an attacker who can name a URL wants.
  GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  GATEHOUSE_WORKERS: z.coerce.number({ error: workersMessage }).int(workersMessage).min(1, workersMessage).max(defaults.maxWorkers, workersMessage).optional(),
  GATEHOUSE_METRICS_TOKEN: z
    .string()
    .min(defaults.minimumSecretLength, `must be at least ${defaults.minimumSecretLength} characters (use: openssl rand -base64 32)`)
    .optional(),
});

function parsePublicUrl(raw: string | undefined, port: number): URL {
  const value = raw ?? `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GatehouseError('config_invalid', `GATEHOUSE_PUBLIC_URL: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GatehouseError('config_invalid', 'GATEHOUSE_PUBLIC_URL: must use http or https');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    throw new GatehouseError(
      'config_invalid',
      'GATEHOUSE_PUBLIC_URL: must be an origin only (scheme, host and port), without a path, query or credentials',
    );
  }
  return new URL(url.origin);
}

/** Reads and validates the environment. The only place in Gatehouse that reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatehouseConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GatehouseError('config_invalid', `${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const publicUrl = parsePublicUrl(e.GATEHOUSE_PUBLIC_URL, e.PORT);
  if (e.DATABASE_URL && !e.GATEHOUSE_SECRET) {
    throw new GatehouseError(
      'secret_missing',
      'GATEHOUSE_SECRET is required with DATABASE_URL: every instance sharing the database must use the same secret (generate one with: openssl rand -base64 32)',
    );
  }
  let trustedProxies: Cidr[];
  try {
    trustedProxies = parseCidrList(e.GATEHOUSE_TRUSTED_PROXIES ?? '');
  } catch (error) {
    throw new GatehouseError('config_invalid', `GATEHOUSE_TRUSTED_PROXIES: ${(error as Error).message}`);
  }
  return {
    port: e.PORT,
    host: e.GATEHOUSE_HOST,
    publicUrl,
    issuer: `${publicUrl.origin}${defaults.oidcMountPath}`,
    dataDir: path.resolve(e.GATEHOUSE_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    secret: e.GATEHOUSE_SECRET,
    configFile: e.GATEHOUSE_CONFIG ? path.resolve(e.GATEHOUSE_CONFIG) : undefined,
    adminPassword: e.GATEHOUSE_ADMIN_PASSWORD,
    trustedProxies,
    logLevel: e.GATEHOUSE_LOG_LEVEL,
    allowPrivateUpstreams: e.GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS === 'true',
    // One process per core on PostgreSQL; on the embedded SQLite file, one process unless asked: a
    // transaction of one process that reads and then writes can find another's write and fail at once.
    workers: e.GATEHOUSE_WORKERS ?? (e.DATABASE_URL ? Math.min(defaults.workers, defaults.maxWorkers) : 1),
    metricsToken: e.GATEHOUSE_METRICS_TOKEN,
  };
}
