import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The cookie that binds a detour to the browser that left (docs/architecture.md). `Path=/` so
 * that it reaches the fixed callback and the hop back under the interaction; `SameSite=Lax`, so
 * that the upstream's top-level redirect brings it and a cross-site POST does not. On https it
 * is named with the `__Host-` prefix (RFC 6265bis §4.1.3.2): the browser then takes it only
 * Secure, from this host, with `Path=/` and no Domain, so a sibling subdomain cannot set one of
 * its own that Gatehouse would read. Plain http (a localhost test) has no such prefix to use.
 */
export const bindingCookieName = 'gatehouse_binding';
export const secureBindingCookieName = `__Host-${bindingCookieName}`;

/** 32 random bytes in base64url, as every value this cookie ever holds. */
const bindingValue = /^[A-Za-z0-9_-]{43}$/;

export const bindingHash = (value: string): string => createHash('sha256').update(value).digest('hex');

export interface BrowserBinding {
  /** The binding this browser already has, if any. */
  read(request: FastifyRequest): string | undefined;
  /** The binding for a new detour: the one the browser has, so that two tabs can each be away at once, else a new one. */
  valueFor(request: FastifyRequest): string;
  /** Sends the binding cookie again, to live as long as the detour it now also binds. */
  send(reply: FastifyReply, value: string, maxAgeSeconds: number): void;
}

/** The binding cookie of a Gatehouse at `publicOrigin`. */
export function createBrowserBinding(publicOrigin: string): BrowserBinding {
  const secure = new URL(publicOrigin).protocol === 'https:';
  const name = secure ? secureBindingCookieName : bindingCookieName;

  function read(request: FastifyRequest): string | undefined {
    for (const pair of (request.headers.cookie ?? '').split(';')) {
      const at = pair.indexOf('=');
      if (at > 0 && pair.slice(0, at).trim() === name) {
        const value = pair.slice(at + 1).trim();
        if (bindingValue.test(value)) return value;
      }
    }
    return undefined;
  }

  return {
    read,
    valueFor: (request) => read(request) ?? randomBytes(32).toString('base64url'),
    send(reply, value, maxAgeSeconds) {
      const attributes = ['Path=/', `Max-Age=${Math.max(1, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
      reply.header('set-cookie', `${name}=${value}; ${attributes.join('; ')}`);
    },
  };
}
