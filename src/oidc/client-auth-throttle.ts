import type { IncomingMessage } from 'node:http';
import type { IpThrottle } from '../protection/ip-throttle.js';
import type { KoaContextWithOIDC } from './engine.js';
import type { OidcProvider } from './provider.js';

/** The endpoints that authenticate clients, by oidc-provider route name; their error events are listened to below. */
const clientAuthRoutes = [
  'token',
  'introspection',
  'revocation',
  'pushed_authorization_request',
  'device_authorization',
  'backchannel_authentication',
] as const;

/**
 * The answer to a client address that failed too often: 429, Retry-After and an OAuth error
 * body. `temporarily_unavailable` is the registered OAuth error that means "try again later".
 * The password grant answers a throttled sign-in with this too.
 */
export function respondTooManyAttempts(ctx: KoaContextWithOIDC, retryAfterSeconds: number): void {
  ctx.status = 429;
  ctx.set('retry-after', String(retryAfterSeconds));
  ctx.set('cache-control', 'no-store');
  ctx.body = {
    error: 'temporarily_unavailable',
    error_description: `too many failed attempts from this address; retry after ${retryAfterSeconds} seconds`,
  };
}

function isInvalidClient(error: unknown): boolean {
  return (error as { error?: unknown } | undefined)?.error === 'invalid_client';
}

/**
 * Counts failed client authentications per client address and answers 429 once an address has
 * too many, before the engine checks any credential. Failures are recognised from the engine's
 * `<route>.error` events (whatever the response format) and counted before the response leaves.
 */
export function registerClientAuthThrottle(
  provider: OidcProvider,
  deps: { throttle: IpThrottle; clientIp: (req: IncomingMessage) => string },
): void {
  const paths = new Set<string>();
  for (const route of clientAuthRoutes) {
    try {
      paths.add(provider.pathFor(route, { mountPath: '' }));
    } catch {
      // The route belongs to a feature that is not enabled.
    }
  }
  const failed = new WeakSet<object>();
  const markFailure = (ctx: KoaContextWithOIDC, error: unknown) => {
    if (isInvalidClient(error)) failed.add(ctx);
  };
  provider.on('grant.error', markFailure);
  provider.on('introspection.error', markFailure);
  provider.on('revocation.error', markFailure);
  provider.on('pushed_authorization_request.error', markFailure);
  provider.on('device_authorization.error', markFailure);
  provider.on('backchannel_authentication.error', markFailure);

  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || !paths.has(ctx.path)) return next();
    const clientIp = deps.clientIp(ctx.req);
    const verdict = await deps.throttle.check(clientIp);
    if (verdict.blocked) return respondTooManyAttempts(ctx as KoaContextWithOIDC, verdict.retryAfterSeconds);
    await next();
    if (failed.has(ctx)) await deps.throttle.recordFailure(clientIp);
  });
}
