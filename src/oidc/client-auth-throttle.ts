import type { IncomingMessage } from 'node:http';
import type { PendingAttempt } from '../protection/attempt-limiter.js';
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

/** The address attempt each admitted request holds, for the password grant to settle (see admittedAddressOf). */
const admitted = new WeakMap<object, PendingAttempt>();

/**
 * The client address's attempt that the throttle counted for this token request, so that the
 * password grant settles that one instead of counting the address a second time.
 */
export function admittedAddressOf(ctx: object): PendingAttempt | undefined {
  return admitted.get(ctx);
}

/**
 * The answer to a client address that failed too often: 429, Retry-After and an OAuth error
 * body. `temporarily_unavailable` is the registered OAuth error that means "try again later".
 * The only place the 429 of the oidc endpoints is built: the password grant never meets a
 * throttled address, since its request was admitted here first.
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
 * Counts every request to a client-authenticating endpoint against its client address before
 * the engine checks any credential, and answers 429 once the address has too many failures
 * (or, in a burst, once the attempts in flight would make too many). After the engine has
 * answered, the attempt stays counted when the route it resolved reported `invalid_client`
 * (whatever the response format) and is given back otherwise.
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
    const admission = await deps.throttle.admit(deps.clientIp(ctx.req));
    if (!admission.admitted) return respondTooManyAttempts(ctx as KoaContextWithOIDC, admission.retryAfterSeconds);
    admitted.set(ctx, admission.attempt);
    try {
      await next();
    } finally {
      await (failed.has(ctx) ? admission.attempt.fail() : admission.attempt.giveBack());
    }
  });
}
