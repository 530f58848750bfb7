import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GatehouseError } from '../../errors/gatehouse-error.js';

/**
 * CSRF tokens for the sign-in forms: an HMAC of the interaction id under a key derived from the
 * master secret, so they need no storage and hold across instances. The interaction itself is
 * bound to the browser by oidc-provider's cookie, so a token cannot be used from another browser.
 */
export function createCsrf(key: Buffer) {
  const tokenFor = (uid: string) => createHmac('sha256', key).update(`interaction:${uid}`).digest('base64url');
  return {
    tokenFor,
    verify(request: FastifyRequest, uid: string, submitted: unknown): void {
      // Browsers that send Fetch Metadata tell us outright when a post comes from another site.
      if (request.headers['sec-fetch-site'] === 'cross-site') {
        throw new GatehouseError('csrf_invalid', 'This form was submitted from another site.');
      }
      const expected = Buffer.from(tokenFor(uid));
      const given = Buffer.from(typeof submitted === 'string' ? submitted : '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new GatehouseError('csrf_invalid', 'This form has expired or was not sent by this site. Go back and try again.');
      }
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
