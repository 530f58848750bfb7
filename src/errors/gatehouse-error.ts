import { errorCodes, type ErrorCode } from './codes.js';

export interface GatehouseErrorOptions {
  /** Shown to the caller; defaults to true below 500. A 5xx never shows its message. */
  expose?: boolean;
  /** Seconds the caller should wait before trying again (sent as Retry-After). */
  retryAfter?: number;
  cause?: unknown;
}

/** The one error type of Gatehouse: a stable code, an HTTP status derived from it, a message. */
export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options: GatehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.expose = options.expose ?? this.status < 500;
    this.retryAfter = options.retryAfter;
  }
}

export function isGatehouseError(value: unknown): value is GatehouseError {
  return value instanceof GatehouseError;
}
