import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's address: the socket peer, or what trusted proxies say it forwarded for. */
    clientIp: string;
  }
}

/**
 * Computes the client address once, then rewrites Host and X-Forwarded-* to the configured
 * public URL, so that no request header can change the issuer or any URL Gatehouse builds.
 */
export function registerRequestContext(app: FastifyInstance, publicUrl: URL): void {
  app.decorateRequest('clientIp', '');
  app.addHook('onRequest', async (request) => {
    request.clientIp = request.ip;
    const headers = request.raw.headers;
    headers.host = publicUrl.host;
    headers['x-forwarded-host'] = publicUrl.host;
    headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    headers['x-forwarded-for'] = request.clientIp;
    delete headers.forwarded;
  });
}
