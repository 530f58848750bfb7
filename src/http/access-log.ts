import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { routeLabel } from '../observability/route-label.js';

/** A route whose path carries a secret (the token of an emailed link, which opens an account for minutes). */
const secretInPath = /:token\b/;

/**
 * Where the request was sent, without its query string (codes, id_token_hint): under /oidc the
 * mount rewrote `url` and kept the original. A path with a secret in it is written as its route.
 */
function pathOf(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route !== undefined && secretInPath.test(route)) return route;
  return ((request.raw as { originalUrl?: string }).originalUrl ?? request.url).split('?')[0]!;
}

/**
 * One access line per request, written when its answer has gone, instead of Fastify's two
 * ("incoming request" and "request completed"): at thousands of token requests a second the
 * first line only doubles the volume. What it carries is what the redaction rules of
 * runtime/logger.ts allow: no query string, no header. Written through the request's own logger,
 * which binds `reqId`. The other lines Fastify writes (a stream that failed after the headers,
 * a serializer that failed) are kept.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      path: pathOf(request),
      route: routeLabel(request),
      status: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
      ip: request.ip,
    };
    // An error here is the response stream's (the connection broke while the answer was written); a handler's 5xx is logged by error-responses.ts.
    if (error) reply.log.error({ ...line, err: error }, 'request completed');
    else reply.log.info(line, 'request completed');
  }

  /** The router's own refusals (Fastify's frameworkErrors) are answered without the listeners that call requestCompleted: they get their line this way. */
  whenAnswered(request: FastifyRequest, reply: FastifyReply): void {
    reply.raw.once('finish', () => this.requestCompleted(null, request, reply));
  }
}
