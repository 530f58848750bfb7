import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import ipaddr from 'ipaddr.js';
import type { Cidr } from '../config/cidr.js';
import { defaults } from '../config/defaults.js';
import { randomIds } from '../runtime/ids.js';

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

/** The header that carries a request's id, in both directions. */
export const requestIdHeader = 'x-request-id';

const safeRequestId = new RegExp(`^[A-Za-z0-9._-]{1,${defaults.observability.requestIdMaxLength}}$`);

/**
 * Fastify's genReqId: the id every log line of a request carries and its answer returns, so that
 * a user's error report can be found in the log. A trusted proxy's X-Request-Id is kept, so that
 * its log and Gatehouse's name a request alike, but only a short token of safe characters: the
 * id goes into log lines and pages. Anyone else's is ignored, or a client could make its requests
 * look like another's. Random otherwise, never the injectable ids of records: two servers a test
 * starts with the same ids would log the same request ids.
 */
export function requestIds(trustedProxies: readonly Cidr[]): (raw: IncomingMessage) => string {
  const ranges = trustedProxies.map((cidr) => ipaddr.parseCIDR(cidr));
  const trusted = (address: string | undefined): boolean => {
    if (address === undefined || !ipaddr.isValid(address)) return false;
    // An IPv4 peer on a dual-stack socket reads as ::ffff:a.b.c.d; the ranges name it as IPv4.
    const peer = ipaddr.process(address);
    return ranges.some(([range, bits]) => range.kind() === peer.kind() && peer.match(range as typeof peer, bits));
  };
  return (raw) => {
    const given = raw.headers[requestIdHeader];
    return typeof given === 'string' && safeRequestId.test(given) && trusted(raw.socket.remoteAddress) ? given : randomIds();
  };
}

export interface RequestContextOptions {
  publicUrl: URL;
}

/**
 * Returns the request's id (requestIds), computes the client address once, then rewrites Host and X-Forwarded-* to the configured
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
    app.addHook('onRequest', async (request, reply) => {
      // On the Node response, so that the engine's answers under /oidc, written there directly, carry it too.
      reply.raw.setHeader(requestIdHeader, request.id);
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
