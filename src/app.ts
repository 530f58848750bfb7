import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApplicationService } from './applications/application-service.js';
import { readDeclarations } from './setup/config-file.js';
import { defaults } from './config/defaults.js';
import type { GatehouseConfig } from './config/load.js';
import { resolveMasterSecret } from './crypto/master-secret.js';
import { createSecretBox } from './crypto/secret-box.js';
import { openStorage } from './db/open-storage.js';
import type { Storage } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { sweepExpired } from './db/sweep-expired.js';
import { registerErrorHandler } from './errors/error-handler.js';
import { registerHealthRoutes } from './http/health.js';
import { createCsrf } from './http/interaction/csrf.js';
import { registerInteractionRoutes } from './http/interaction/routes.js';
import { mountOidc } from './http/mount-oidc.js';
import { clientIpOf, registerRequestContext } from './http/request-context.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { ensureKeys } from './keys/ensure-keys.js';
import { registerClientAuthThrottle } from './oidc/client-auth-throttle.js';
import { createInteractions } from './oidc/interactions.js';
import { createClientValidator, createProvider } from './oidc/provider.js';
import { systemClock, type Clock } from './runtime/clock.js';
import { randomIds, type IdGenerator } from './runtime/ids.js';
import { createLogger } from './runtime/logger.js';
import { createScopeService } from './scopes/scope-service.js';
import { applyDeclarations, type ApplyReport } from './setup/apply-declarations.js';
import { ensureFirstAdmin, type AdminReport } from './setup/ensure-admin.js';
import { createSignInProtection } from './protection/sign-in-protection.js';
import { createPasswordSignIn } from './sign-in/password-sign-in.js';
import { createUserService } from './users/user-service.js';
import { stylesheet } from './views/stylesheet.js';
import { stylesheetPath } from './views/layout.js';

export interface AppDeps {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** An open database; by default one is opened from the configuration. */
  storage?: Storage;
}

/** What this start did that an operator must hear about once. */
export interface StartupReport {
  freshSecret: boolean;
  admin: AdminReport | undefined;
  applied: ApplyReport;
  storage: 'sqlite' | 'postgres';
}

export interface GatehouseApp {
  app: FastifyInstance;
  startup: StartupReport;
}

/**
 * Prepares storage, keys and configuration, and returns the Fastify application without
 * listening: main.ts listens, tests listen on a free port.
 */
export async function buildApp(config: GatehouseConfig, deps: AppDeps = {}): Promise<GatehouseApp> {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const declarations = await readDeclarations(config.configFile);
  const storage = deps.storage ?? openStorage(config, (error) => logger.warn({ err: error }, 'the database closed an idle connection'));
  try {
    const { db } = storage;
    await migrateToLatest(db);
    const secret = await resolveMasterSecret(config.secret, config.dataDir);
    const box = createSecretBox(secret.value);
    const keys = await ensureKeys(db, box, clock);
    const scopes = createScopeService({ db, clock });
    const users = createUserService({ db, clock, ids, security: declarations.security });
    const applications = createApplicationService({ db, box, clock });
    const fileScopes = declarations.scopes.map((s) => ({ ...s, claims: [...s.claims] }));
    const storedScopes = (await scopes.list()).filter((s) => !fileScopes.some((f) => f.name === s.name));
    const customScopes = [...storedScopes, ...fileScopes];

    const protection = createSignInProtection({ db, clock, settings: declarations.security });
    const signIn = await createPasswordSignIn({ users, protection });
    const provider = createProvider({
      issuer: config.issuer, db, clock, logger, signingKeys: keys.signingKeys, cookieKeys: keys.cookieKeys, customScopes, applications, users, signIn, clientIp: clientIpOf,
    });
    const applied = await applyDeclarations(db, declarations, {
      box, clock, ids, validateClient: createClientValidator(provider), source: config.configFile ?? '',
    });
    const admin = await ensureFirstAdmin(users, config.adminPassword);

    const app: FastifyInstance = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
      bodyLimit: defaults.bodyLimitBytes,
    });
    registerRequestContext(app, config.publicUrl);
    registerSecurityHeaders(app);
    registerErrorHandler(app);
    await app.register(formbody);
    registerHealthRoutes(app, db);
    app.get(stylesheetPath, async (_request, reply) =>
      reply.header('cache-control', `public, max-age=${defaults.stylesheetMaxAgeSeconds}`).type('text/css; charset=utf-8').send(stylesheet));
    registerInteractionRoutes(app, {
      interactions: createInteractions(provider),
      csrf: createCsrf(box.derive('csrf')),
      signIn,
      users,
      customScopes: () => customScopes,
    });
    registerClientAuthThrottle(provider, { throttle: protection.ips, clientIp: clientIpOf });
    await mountOidc(app, provider);

    const sweeper = setInterval(() => {
      sweepExpired(db, clock).catch((error: unknown) => logger.warn({ err: error }, 'sweep of expired rows failed'));
    }, defaults.sweepIntervalSeconds * 1000);
    sweeper.unref();
    app.addHook('onClose', async () => {
      clearInterval(sweeper);
      if (!deps.storage) await storage.close();
    });
    return { app, startup: { freshSecret: secret.generated, admin, applied, storage: storage.dialect } };
  } catch (error) {
    if (!deps.storage) await storage.close();
    throw error;
  }
}
