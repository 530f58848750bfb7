import type { KoaContextWithOIDC } from './engine.js';
import { oauthError, respondWith } from './oauth-error.js';

/**
 * The answer to a client address that failed too often, for the client-authentication throttle
 * and the password grant alike: 429 with Retry-After. `temporarily_unavailable` is the
 * registered OAuth error that means "try again later".
 */
export function respondTooManyAttempts(ctx: KoaContextWithOIDC, retryAfterSeconds: number): void {
  const description = `too many failed attempts from this address; retry after ${retryAfterSeconds} seconds`;
  respondWith(ctx, oauthError(429, 'temporarily_unavailable', description, retryAfterSeconds));
}
