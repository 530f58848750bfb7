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
 * The one place the 429 of the oidc endpoints is built, for this throttle and the password grant.
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
 * Answers 429 to a client address that is blocked, before the engine checks any credential,
 * and counts an `invalid_client` answer (whatever its format) against the address afterwards.
 * Unlike passwords, which are counted before they are checked, client authentications are
 * checked with one read and counted only when they fail: every token request passes here, so a
 * busy application behind one address must not queue on its counter row, and a client secret
 * (at least 32 random characters) or key does not fall to the few guesses that a burst can
 * add before the block lands. The password grant counts its password attempts itself.
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
    const blockedFor = await deps.throttle.blockedFor(clientIp);
    if (blockedFor !== undefined) return respondTooManyAttempts(ctx as KoaContextWithOIDC, blockedFor);
    try {
      await next();
    } finally {
      if (failed.has(ctx)) await deps.throttle.recordFailure(clientIp);
    }
  });
}
