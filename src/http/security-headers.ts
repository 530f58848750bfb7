import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response: no framing, no referrer leaks, no caching of pages that carry
 * tokens or forms. `form-action` is left out on purpose: Chrome applies it to the redirects
 * that follow a form post, which would block the return to the application.
 * `script-src 'self'` serves no script of ours; it is there so that oidc-provider can add the
 * hash of its form_post auto-submit script.
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** For responses written by oidc-provider on the raw Node response. */
export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(securityHeaders)) {
    if (!res.hasHeader(name)) res.setHeader(name, value);
  }
}

/** For Gatehouse's own routes; a route that sets one of these (the stylesheet's cache-control) keeps its own. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(securityHeaders)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
  });
}
