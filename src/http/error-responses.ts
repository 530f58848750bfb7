import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import fp from 'fastify-plugin';
import { errorCodes, type ErrorCode } from '../errors/codes.js';
import { GatehouseError, isGatehouseError, type ErrorDetail } from '../errors/gatehouse-error.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { currentLocale, t } from '../i18n/page-locale.js';
import { errorPage } from '../views/message-page.js';
import { requestIdHeader } from './request-context.js';
import { headerSets, setHeaderSet } from './security-headers.js';

/** Fastify's own errors that are the caller's fault, mapped to Gatehouse codes. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
};

/** What a detail says of a field a request does not take; a page in another language says it in its own words. */
const unknownFieldMessage = 'is not a field this request takes';

/** JSON Pointer segments (`/redirect_uris/0`) unescaped, joined with dots after the part of the request. */
function pathOf(context: string, instancePath: string, missingProperty: unknown): string {
  const segments = instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof missingProperty === 'string') segments.push(missingProperty);
  return [context, ...segments.filter((segment) => segment !== '')].join('.');
}

/**
 * A route schema's failures (JSON Schema or zod, both as Fastify reports them), one detail per
 * field; for a route's own schemaErrorFormatter too, so that its error keeps the details.
 */
export function validationDetails(issues: readonly FastifySchemaValidationError[], context: string): ErrorDetail[] {
  return issues.flatMap((issue) => {
    // zod reports every unknown field of an object in one issue: each is named where it was sent.
    const unknown = issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys) ? (issue.params.keys as unknown[]) : [];
    if (unknown.length > 0) return unknown.map((key) => ({ path: pathOf(context, issue.instancePath, String(key)), message: unknownFieldMessage }));
    return [{ path: pathOf(context, issue.instancePath, issue.params.missingProperty), message: issue.message ?? 'is invalid' }];
  });
}

function validationError(error: FastifyError): GatehouseError {
  const details = validationDetails(error.validation ?? [], error.validationContext ?? 'request');
  const summary = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
  return new GatehouseError('invalid_request', summary ? `The request is invalid: ${summary}` : error.message, { details, cause: error });
}

function toGatehouseError(error: unknown): GatehouseError {
  if (isGatehouseError(error)) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_VALIDATION') return validationError(fastifyError);
  const code = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (code === 'payload_too_large') return new GatehouseError(code, 'The request body is larger than this endpoint accepts.');
  if (code) return new GatehouseError(code, fastifyError.message);
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new GatehouseError('invalid_request', fastifyError.message);
  }
  return new GatehouseError('internal_error', 'internal error', { cause: error });
}

/** Browsers list text/html in Accept; API clients and curl do not, and get JSON. */
export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** What a 5xx tells the caller instead of its message, which may carry internals. */
function publicDetail(error: GatehouseError): string {
  return error.retryAfter === undefined
    ? 'Something went wrong on our side. Try again later.'
    : 'Gatehouse cannot answer right now. Try again in a few seconds.';
}

/** A key of the catalogues that has a `.title` beside it: an error page's sentence and its heading. */
type PageWords = { [K in MessageKey]: K extends `${infer Base}.title` ? (Base extends MessageKey ? Base : never) : never }[MessageKey];

/**
 * The words of an error page in each language, for every code (a new code fails the type-check
 * until it has some): the codes a person meets in a browser have their own, the others their kind's.
 */
const pageWords: Record<ErrorCode, PageWords> = {
  config_invalid: 'error.internal',
  config_file_unreadable: 'error.internal',
  secret_missing: 'error.internal',
  secret_mismatch: 'error.internal',
  storage_unavailable: 'error.unavailable',
  invalid_request: 'error.invalid_request',
  payload_too_large: 'error.payload_too_large',
  not_found: 'error.not_found',
  unauthorized: 'error.forbidden',
  forbidden: 'error.forbidden',
  too_many_attempts: 'error.too_many_attempts',
  declared_in_config_file: 'error.declared_in_config_file',
  csrf_invalid: 'error.csrf_invalid',
  interaction_expired: 'error.interaction_expired',
  password_policy: 'error.password_policy',
  user_not_found: 'error.not_found',
  conflict: 'error.conflict',
  upstream_address_refused: 'error.upstream',
  upstream_failed: 'error.upstream',
  upstream_client_refused: 'error.upstream',
  upstream_response_invalid: 'error.upstream',
  upstream_denied: 'error.upstream',
  connection_unavailable: 'error.connection_unavailable',
  detour_unknown: 'error.sign_in_incomplete',
  detour_other_browser: 'error.sign_in_incomplete',
  detour_expired: 'error.sign_in_incomplete',
  detour_used: 'error.sign_in_incomplete',
  jwt_refused: 'error.sign_in_incomplete',
  test_link_invalid: 'error.test_link_invalid',
  passkey_invalid: 'error.passkey_invalid',
  email_not_configured: 'error.email_not_configured',
  email_delivery_failed: 'error.email_delivery_failed',
  console_not_built: 'error.unavailable',
  internal_error: 'error.internal',
};

/**
 * An error page's title and sentence. English says the error's own message, which names what
 * exactly went wrong; a translation says what its code means. The JSON answers stay English: a
 * program reads them, by `code`.
 */
function pageText(error: GatehouseError, shown: boolean, detail: string): { title: string; message: string } {
  if (currentLocale() === 'en') return { title: errorCodes[error.code].title, message: detail };
  const key = pageWords[error.code];
  // A hidden 5xx says only that it failed, or when to try again.
  const words = !shown && key !== 'error.unavailable' ? (error.retryAfter === undefined ? 'error.internal' : 'error.unavailable') : key;
  return { title: t(`${words}.title`), message: t(words) };
}

/**
 * The per-field problems as a page lists them: the field names as sent; in English what the
 * validator said, in another language what kind of problem it is (the validators speak English).
 */
function pageProblems(details: readonly ErrorDetail[]): ErrorDetail[] {
  if (currentLocale() === 'en') return [...details];
  return details.map(({ path, message }) => ({ path, message: t(message === unknownFieldMessage ? 'validation.unknownField' : 'validation.invalid') }));
}

/**
 * The one place where errors become responses: an HTML page for browsers, a JSON problem
 * otherwise, each with the header set of its kind whatever route it came from.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: GatehouseError) {
  const title = errorCodes[error.code].title;
  const shown = error.expose && error.status < 500;
  const detail = shown ? error.message : publicDetail(error);
  const details = shown ? error.details : [];
  if (error.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfter))));
  // Also for the router's own refusals, which come before the hook that sets it on every answer.
  reply.header(requestIdHeader, request.id);
  reply.code(error.status);
  if (wantsHtml(request)) {
    setHeaderSet(reply, headerSets.page);
    const page = pageText(error, shown, detail);
    return reply.type('text/html; charset=utf-8').send(errorPage(page.title, page.message, pageProblems(details), error.status >= 500 ? request.id : undefined));
  }
  setHeaderSet(reply, headerSets.api);
  const problem = { type: 'about:blank', code: error.code, title, status: error.status, detail };
  return reply.type('application/problem+json').send(details.length > 0 ? { ...problem, details } : problem);
}

/**
 * Installs the error and not-found handlers on the root scope (fastify-plugin), so that every
 * plugin's routes answer errors the same way. Register it before any route.
 */
export const errorResponses = fp(
  async (app) => {
    app.setErrorHandler((error, request, reply) => {
      const mapped = toGatehouseError(error);
      if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendError(request, reply, mapped);
    });
    app.setNotFoundHandler((request, reply) =>
      sendError(request, reply, new GatehouseError('not_found', `Nothing is served at ${request.method} ${request.url.split('?')[0]}.`)));
  },
  { name: 'gatehouse-error-responses' },
);
