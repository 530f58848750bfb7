import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The cookie that binds a detour to the browser that left (docs/architecture.md). `Path=/` so
 * that it reaches the fixed callback and the hop back under the interaction; `SameSite=Lax`, so
 * that the upstream's top-level redirect brings it and a cross-site POST does not.
 */
export const bindingCookieName = 'gatehouse_binding';

/** 32 random bytes in base64url, as every value this cookie ever holds. */
const bindingValue = /^[A-Za-z0-9_-]{43}$/;

export const bindingHash = (value: string): string => createHash('sha256').update(value).digest('hex');

/** The binding this browser already has, if any. */
export function readBinding(request: FastifyRequest): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === bindingCookieName) {
      const value = pair.slice(at + 1).trim();
      if (bindingValue.test(value)) return value;
    }
  }
  return undefined;
}

/** The binding for a new detour: the one the browser has, so that two tabs can each be away at once, else a new one. */
export const bindingFor = (request: FastifyRequest): string => readBinding(request) ?? randomBytes(32).toString('base64url');

/** Sends the binding cookie again, to live as long as the detour it now also binds. */
export function sendBinding(reply: FastifyReply, value: string, { secure, maxAgeSeconds }: { secure: boolean; maxAgeSeconds: number }): void {
  const attributes = ['Path=/', `Max-Age=${Math.max(1, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
  reply.header('set-cookie', `${bindingCookieName}=${value}; ${attributes.join('; ')}`);
}
