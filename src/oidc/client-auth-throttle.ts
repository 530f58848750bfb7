import type { IncomingMessage } from 'node:http';
import type { IpThrottle } from '../protection/ip-throttle.js';
import type { EngineMiddleware, KoaContextWithOIDC, OidcProvider } from './engine.js';
import { clientAuthRouteErrorEvents, routePathKey, routePathKeys, type ClientAuthRoute } from './engine-internals.js';
import { respondTooManyAttempts } from './too-many-attempts.js';

export interface ClientAuthThrottle {
  middleware: EngineMiddleware;
  /** Hears the error events of the client-authenticating routes (onClientAuthRouteError). */
  onRouteError(route: ClientAuthRoute, ctx: KoaContextWithOIDC, error: unknown): void;
}

function isInvalidClient(error: unknown): boolean {
  return (error as { error?: unknown } | undefined)?.error === 'invalid_client';
}

/**
 * Answers 429 to a client address that is blocked, before the engine checks any credential,
 * and counts an `invalid_client` answer (whatever its format) against the address afterwards.
 * Unlike passwords, which are counted before they are checked, client authentications are
 * checked with one read and counted only when they fail: every token request passes here, so a
 * busy application behind one address must not queue on its counter row, and a client secret
 * (at least 32 random characters) or key does not fall to the few guesses that a burst can
 * add before the block lands. The password grant counts its password attempts itself.
 */
export function createClientAuthThrottle(
  provider: OidcProvider,
  deps: { throttle: IpThrottle; clientIp: (req: IncomingMessage) => string },
): ClientAuthThrottle {
  const paths = routePathKeys(provider, Object.keys(clientAuthRouteErrorEvents));
  const failed = new WeakSet<object>();
  return {
    onRouteError(_route, ctx, error) {
      if (isInvalidClient(error)) failed.add(ctx);
    },
    async middleware(ctx, next) {
      if (ctx.method !== 'POST' || !paths.has(routePathKey(ctx.path))) return next();
      const clientIp = deps.clientIp(ctx.req);
      const blockedFor = await deps.throttle.blockedFor(clientIp);
      if (blockedFor !== undefined) return respondTooManyAttempts(ctx, blockedFor);
      try {
        await next();
      } finally {
        if (failed.has(ctx)) await deps.throttle.recordFailure(clientIp);
      }
    },
  };
}
