import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's address: the socket peer, or what trusted proxies say it forwarded for. */
    clientIp: string;
  }
}

const clientIps = new WeakMap<IncomingMessage, string>();

/** The client address computed for a request, for code that only sees the Node request (oidc-provider). */
export function clientIpOf(raw: IncomingMessage): string {
  return clientIps.get(raw) ?? raw.socket.remoteAddress ?? '';
}

export interface RequestContextOptions {
  publicUrl: URL;
}

/**
 * Computes the client address once, then rewrites Host and X-Forwarded-* to the configured
 * public URL, so that no request header can change the issuer or any URL Gatehouse builds.
 * It reaches the parent scope on purpose (fastify-plugin): every route, the engine's included,
 * must see the rewritten request.
 *
 * The address is Fastify's `request.ip`: the socket peer, unless the peer is in
 * GATEHOUSE_TRUSTED_PROXIES, in which case X-Forwarded-For is read from the right, skipping
 * trusted hops. The RFC 7239 `Forwarded` header is never read and is removed: a proxy that
 * maintains one of the two headers passes the other through from the client untouched, so
 * reading both would let a client choose its own address.
 */
export const requestContext = fp<RequestContextOptions>(
  async (app, { publicUrl }) => {
    app.decorateRequest('clientIp', '');
    app.addHook('onRequest', async (request) => {
      request.clientIp = request.ip;
      clientIps.set(request.raw, request.clientIp);
      const headers = request.raw.headers;
      headers.host = publicUrl.host;
      headers['x-forwarded-host'] = publicUrl.host;
      headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
      headers['x-forwarded-for'] = request.clientIp;
      delete headers.forwarded;
    });
  },
  { name: 'gatehouse-request-context' },
);
