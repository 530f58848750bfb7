import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { defaults } from './config/defaults.js';
import type { GatehouseConfig } from './config/load.js';
import type { SecretBox } from './crypto/secret-box.js';
import { registerErrorHandler } from './errors/error-handler.js';
import { registerHealthRoutes } from './http/health.js';
import { createCsrf } from './http/interaction/csrf.js';
import { registerInteractionRoutes } from './http/interaction/routes.js';
import { mountOidc } from './http/mount-oidc.js';
import { registerRequestContext } from './http/request-context.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import type { EngineHolder } from './oidc/engine-holder.js';
import { createInteractions } from './oidc/interactions.js';
import type { Services } from './services.js';
import type { PasswordSignIn } from './sign-in/password-sign-in.js';
import { stylesheet } from './views/stylesheet.js';
import { stylesheetPath } from './views/layout.js';

export interface AppParts {
  config: GatehouseConfig;
  logger: Logger;
  services: Services;
  engine: EngineHolder;
  signIn: PasswordSignIn;
  box: SecretBox;
}

/** Wires HTTP only: Gatehouse's routes and the protocol engine under /oidc. Nothing here touches storage. */
export async function buildApp({ config, logger, services, engine, signIn, box }: AppParts): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: defaults.bodyLimitBytes,
  });
  registerRequestContext(app, config.publicUrl);
  registerSecurityHeaders(app);
  registerErrorHandler(app);
  await app.register(formbody);
  registerHealthRoutes(app, services.deps.db);
  app.get(stylesheetPath, async (_request, reply) =>
    reply.header('cache-control', `public, max-age=${defaults.stylesheetMaxAgeSeconds}`).type('text/css; charset=utf-8').send(stylesheet));
  registerInteractionRoutes(app, {
    interactions: createInteractions(() => engine.current()),
    csrf: createCsrf(box.derive('csrf')),
    signIn,
    users: services.users,
    customScopes: () => engine.state().customScopes,
  });
  await mountOidc(app, engine);
  return app;
}
