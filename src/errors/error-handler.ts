import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { messagePage } from '../views/message-page.js';
import { errorCodes, type ErrorCode } from './codes.js';
import { GatehouseError, isGatehouseError } from './gatehouse-error.js';

/** Fastify's own errors that are the caller's fault, mapped to Gatehouse codes. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

function toGatehouseError(error: unknown): GatehouseError {
  if (isGatehouseError(error)) return error;
  const fastifyError = error as FastifyError;
  const code = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (code === 'payload_too_large') return new GatehouseError(code, 'The request body is larger than this endpoint accepts.');
  if (code) return new GatehouseError(code, fastifyError.message);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new GatehouseError('invalid_request', fastifyError.message);
  }
  return new GatehouseError('internal_error', 'internal error', { cause: error });
}

/** Browsers list text/html in Accept; API clients and curl do not, and get JSON. */
function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** The one place where errors become responses: an HTML page for browsers, a JSON problem otherwise. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: GatehouseError) {
  const title = errorCodes[error.code].title;
  // A 5xx never shows its message, whatever `expose` says: it may carry internals.
  const detail = error.expose && error.status < 500 ? error.message : 'Something went wrong on our side. Try again later.';
  if (error.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfter))));
  reply.code(error.status);
  if (wantsHtml(request)) return reply.type('text/html; charset=utf-8').send(messagePage(title, detail));
  return reply.type('application/problem+json').send({ type: 'about:blank', code: error.code, title, status: error.status, detail });
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = toGatehouseError(error);
    if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendError(request, reply, mapped);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new GatehouseError('not_found', `Nothing is served at ${request.method} ${request.url.split('?')[0]}.`)));
}
