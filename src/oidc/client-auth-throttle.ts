import type { IncomingMessage } from 'node:http';
import type { IpThrottle } from '../protection/ip-throttle.js';
import type { KoaContextWithOIDC } from './engine.js';
import type { OidcProvider } from './provider.js';

/** The engine routes that authenticate clients, each with the event the engine emits when a request to it fails. */
const clientAuthRoutes = {
  token: 'grant.error',
  introspection: 'introspection.error',
  revocation: 'revocation.error',
  pushed_authorization_request: 'pushed_authorization_request.error',
} as const;

type ErrorEvent = (typeof clientAuthRoutes)[keyof typeof clientAuthRoutes];

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
 * The engine's router ignores case and one trailing slash (lib/helpers/router.js), so a path is
 * compared the same way; lower-casing matches every spelling the router does (and a few odd
 * non-ASCII ones it does not, which are only counted and given back).
 */
function routePathKey(path: string): string {
  return (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
}

/**
 * Counts failed client authentications per client address and answers 429 once an address has
 * too many, before the engine checks any credential. Failures are recognised from the error
 * event of the route the engine resolved (whatever the response format) and counted before the
 * response leaves.
 */
export function registerClientAuthThrottle(
  provider: OidcProvider,
  deps: { throttle: IpThrottle; clientIp: (req: IncomingMessage) => string },
): void {
  const paths = new Set(Object.keys(clientAuthRoutes).map((route) => routePathKey(provider.pathFor(route, { mountPath: '' }))));
  const failed = new WeakSet<object>();
  // The four error events share one listener type; the engine's typings accept only one literal name per call.
  const onError = provider.on.bind(provider) as (event: ErrorEvent, listener: (ctx: KoaContextWithOIDC, error: unknown) => void) => void;
  for (const [route, event] of Object.entries(clientAuthRoutes)) {
    onError(event, (ctx, error) => {
      if (ctx.oidc?.route === route && isInvalidClient(error)) failed.add(ctx);
    });
  }

  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || !paths.has(routePathKey(ctx.path))) return next();
    const clientIp = deps.clientIp(ctx.req);
    const verdict = await deps.throttle.check(clientIp);
    if (verdict.blocked) return respondTooManyAttempts(ctx as KoaContextWithOIDC, verdict.retryAfterSeconds);
    await next();
    if (failed.has(ctx)) await deps.throttle.recordFailure(clientIp);
  });
}
