import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Csrf } from '../../http/interaction/csrf.js';

const cookieName = 'gatehouse_recovery';

function cookieOf(request: FastifyRequest): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [key, value] = pair.trim().split('=');
    if (key === cookieName && value && /^[A-Za-z0-9_-]{22}$/.test(value)) return value;
  }
  return undefined;
}

/**
 * CSRF for the forms of someone not signed in (forgot password, choose a new password, confirm
 * an address): the token is bound to a random value in a cookie of this browser (double submit,
 * its HMAC as the token), so that another site can neither read nor forge it. The cookie is
 * scoped to `cookiePath` (`/password`, `/email`): it goes nowhere else, and a token made under
 * one path is refused under the other.
 */
export function createFormCsrf(csrf: Csrf, secure: boolean, cookiePath: string) {
  const subject = (value: string) => `recovery-form:${cookiePath}:${value}`;
  return {
    /** The token for this browser's forms, setting its cookie first when it has none. */
    tokenFor(request: FastifyRequest, reply: FastifyReply): string {
      let value = cookieOf(request);
      if (!value) {
        value = randomBytes(16).toString('base64url');
        reply.header('set-cookie', `${cookieName}=${value}; Path=${cookiePath}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
      }
      return csrf.tokenFor(subject(value));
    },
    /** Refuses (csrf_invalid) a form whose token is not this browser's. */
    verify(request: FastifyRequest, submitted: string | undefined): void {
      csrf.verify(request, subject(cookieOf(request) ?? ''), submitted);
    },
  };
}

export type FormCsrf = ReturnType<typeof createFormCsrf>;
