import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { isGatehouseError, type GatehouseError } from '../errors/gatehouse-error.js';
import { registerAuditListeners } from './audit-listeners.js';
import type { ClientAuthThrottle } from './client-auth-throttle.js';
import type { EngineMiddleware, KoaContextWithOIDC, OidcProvider } from './engine.js';
import { onClientAuthRouteError, onServerError, prefersHtml } from './engine-internals.js';
import { federatedSessionsMiddleware, type FederatedSessions } from './federated-sessions.js';
import { registerPasswordGrant, type PasswordGrantDeps } from './grants/password.js';
import { oauthError, respondWith } from './oauth-error.js';
import { renderError } from './pages.js';
import { recordSessionDevices } from './session-devices.js';
import { refuseUnregisteredResponseTypes, relabelUnregisteredGrantType } from './unauthorized-client.js';

export interface EngineMiddlewareDeps extends PasswordGrantDeps {
  logger: Logger;
  /** Refuses blocked applications in the adapter's lookup (provider.ts); counts their failures here. */
  clientAuth: ClientAuthThrottle;
  /** Sessions whose login came from an upstream provider, ended there too at logout. */
  federatedSessions: FederatedSessions;
  /** Where tokens issued, logouts and revoked grants are recorded (audit-listeners.ts). */
  audit: AuditLog;
  /** Where each session's device and address are kept for /account/sessions (session-devices.ts). */
  db: Db;
}

/**
 * Everything Gatehouse adds to the engine after configuring it: the password grant, the
 * unauthorized_client answers, the event listeners (the server_error and client-authentication
 * errors, and the audit log's: audit-listeners.ts) and the middleware in front of the routes.
 * Listeners are called synchronously where the engine emits, whatever order they were added in.
 *
 * The middleware runs in the order registered, each around the next (provider.use puts it in
 * front of the engine's router), and the order matters:
 * 1. the storage outage answer is outermost, so that it also sees the throttle's own writes to
 *    the database fail, and replaces any answer given while the database is away;
 * 2. the client-authentication throttle's counting comes next, so that a failure is stored
 *    before the answer leaves (its check of a block happens inside the engine, in the
 *    application lookup, where a storage failure is the engine's server_error);
 * 3. the federated sessions' bookkeeping reads the engine's answer at the resume and logout
 *    routes, and may send a logout on to the upstream; inside the outage answer, so that it
 *    sees the engine's answer before any replacement, and it never throws;
 * 4. the unauthorized_client relabel is innermost: it only edits the engine's own answer.
 * Call it before anything takes provider.callback(): Koa composes the middleware then, once.
 */
export function registerEngineMiddleware(provider: OidcProvider, deps: EngineMiddlewareDeps): void {
  registerPasswordGrant(provider, deps);
  refuseUnregisteredResponseTypes(provider);

  const outage = createStorageOutageAnswer(deps.logger);
  onServerError(provider, (ctx, error) => {
    deps.logger.error({ err: error }, 'oidc server error');
    outage.onServerError(ctx, error);
  });
  onClientAuthRouteError(provider, deps.clientAuth.onRouteError);
  registerAuditListeners(provider, { audit: deps.audit, clientIp: deps.clientIp, logger: deps.logger });
  recordSessionDevices(provider, deps);

  const federated = federatedSessionsMiddleware(deps.federatedSessions, deps.logger);
  const inOrder: EngineMiddleware[] = [outage.middleware, deps.clientAuth.middleware, federated, relabelUnregisteredGrantType];
  for (const middleware of inOrder) provider.use(middleware as Parameters<OidcProvider['use']>[0]);
}

/** What the database layer throws when the database cannot be reached. */
function storageOutage(error: unknown): GatehouseError | undefined {
  return isGatehouseError(error) && error.code === 'storage_unavailable' ? error : undefined;
}

const outageDescription = 'the database cannot be reached; try again later';

/**
 * The engine answers a storage failure like any bug, 500 server_error; a database outage is
 * temporary and says so, as Gatehouse's own routes do: 503 temporarily_unavailable (RFC 6749
 * §4.1.2.1) with the error's Retry-After, an HTML page where the engine answered one (the
 * authorization endpoint, browsers), JSON otherwise. The engine reports the failure through
 * its `server_error` event and has answered by the time this middleware resumes; a failure
 * outside the engine's routes (the throttle's) arrives here as a thrown error.
 */
function createStorageOutageAnswer(logger: Logger) {
  const failed = new WeakMap<object, GatehouseError>();

  async function respondUnavailable(ctx: KoaContextWithOIDC, outage: GatehouseError, html: boolean): Promise<void> {
    const retryAfter = outage.retryAfter === undefined ? undefined : Math.max(1, Math.ceil(outage.retryAfter));
    const answer = oauthError(503, 'temporarily_unavailable', outageDescription, retryAfter);
    if (!html) return respondWith(ctx, answer);
    await renderError(ctx, answer.body);
    ctx.status = answer.status;
    ctx.set(answer.headers);
  }

  const middleware: EngineMiddleware = async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const outage = storageOutage(error);
      if (!outage) throw error;
      logger.error({ err: error }, 'oidc server error');
      return respondUnavailable(ctx, outage, prefersHtml(ctx));
    }
    const outage = failed.get(ctx);
    if (outage) await respondUnavailable(ctx, outage, Boolean(ctx.response.is('html')));
  };

  return {
    middleware,
    onServerError(ctx: KoaContextWithOIDC, error: unknown): void {
      const outage = storageOutage(error);
      if (outage) failed.set(ctx, outage);
    },
  };
}
