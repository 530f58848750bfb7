import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { createSessionDeviceQueries } from '../db/queries/session-devices.js';
import type { Clock } from '../runtime/clock.js';
import type { EngineMiddleware, KoaContextWithOIDC, OidcProvider } from './engine.js';

export interface SessionDeviceDeps {
  db: Db;
  clock: Clock;
  /** The client address Gatehouse computed (trusted proxies applied). */
  clientIp: (req: IncomingMessage) => string;
  logger: Logger;
}

/** The longest User-Agent kept: enough for every browser's, not a place to store anything sent. */
const userAgentChars = 512;

/**
 * Records the device, address and time of each successful authorization on its engine session
 * (session_devices, shown by /account/sessions). The engine's `authorization.success` event
 * (lib/actions/authorization/respond.js, with ctx.oidc.session the session that authorized)
 * marks the request; the middleware writes once the engine has answered and stored the session,
 * so that the row is there before the browser's next request. A failure to write is logged and
 * never fails the sign-in: the list then shows the session without its device.
 */
export function recordSessionDevices(provider: OidcProvider, { db, clock, clientIp, logger }: SessionDeviceDeps): void {
  const authorized = new WeakSet<KoaContextWithOIDC>();
  provider.on('authorization.success', (ctx) => {
    authorized.add(ctx);
  });
  const middleware: EngineMiddleware = async (ctx, next) => {
    await next();
    if (!authorized.has(ctx)) return;
    const session = ctx.oidc.session;
    if (!session?.uid || !session.accountId) return;
    const now = clock.now();
    try {
      await createSessionDeviceQueries(db).record({
        session_uid: session.uid, account_id: session.accountId,
        user_agent: ctx.get('user-agent').slice(0, userAgentChars) || null, ip_address: clientIp(ctx.req).slice(0, 64) || null,
        created_at: now, last_seen_at: now,
      });
    } catch (error) {
      logger.warn({ err: error }, 'the device of a session could not be recorded');
    }
  };
  provider.use(middleware as Parameters<OidcProvider['use']>[0]);
}
