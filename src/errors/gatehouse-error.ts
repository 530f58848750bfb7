import { errorCodes, type ErrorCode, type ErrorCodeEntry } from './codes.js';

/** One problem with one part of a request, e.g. a field of the body. */
export interface ErrorDetail {
  /** Where in the request: `body.redirect_uris.0`, `querystring.limit`. */
  path: string;
  message: string;
}

export interface GatehouseErrorOptions {
  /** Shown to the caller; defaults to true below 500. A 5xx never shows its message. */
  expose?: boolean;
  /** Seconds the caller should wait before trying again (sent as Retry-After); some codes imply one. */
  retryAfter?: number;
  /** Per-field problems, for callers that correct a request field by field. */
  details?: readonly ErrorDetail[];
  cause?: unknown;
}

/** The one error type of Gatehouse: a stable code, an HTTP status derived from it, a message. */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly retryAfter: number | undefined;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: GatehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const entry: ErrorCodeEntry = errorCodes[code];
    this.name = 'GatehouseError';
    this.code = code;
    this.status = entry.status;
    this.expose = options.expose ?? this.status < 500;
    this.retryAfter = options.retryAfter ?? entry.retryAfterSeconds;
    this.details = options.details ?? [];
  }
}

export function isGatehouseError(value: unknown): value is GatehouseError {
  return value instanceof GatehouseError;
}
