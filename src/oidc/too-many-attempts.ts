import type { KoaContextWithOIDC } from './engine.js';
import { oauthError, respondWith } from './oauth-error.js';

/**
 * The password grant's answer to a client address the sign-in throttle blocks, as the login page
 * says it: 429 with Retry-After. `temporarily_unavailable` is the registered OAuth error that
 * means "try again later". (A blocked application is answered by client-auth-throttle.ts.)
 */
export function respondTooManyAttempts(ctx: KoaContextWithOIDC, retryAfterSeconds: number): void {
  const description = `too many failed sign-ins came from this address; retry after ${retryAfterSeconds} seconds`;
  respondWith(ctx, oauthError(429, 'temporarily_unavailable', description, retryAfterSeconds));
}
