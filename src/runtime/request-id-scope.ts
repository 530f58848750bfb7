import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The id of the request being served, for log lines written by code that holds no request (the
 * audit log, the engine's event listeners, sign-in methods, anything on the root logger): the
 * logger's mixin reads it (logger.ts), so no logger has to be passed down with the request.
 * Entered by the HTTP layer (http/request-log-scope.ts).
 */
const scope = new AsyncLocalStorage<string | undefined>();

/** Runs `work`, and everything it starts, as part of the request `id`. */
export function inRequest<T>(id: string, work: () => T): T {
  return scope.run(id, work);
}

/**
 * Runs `work` as part of no request: for timers and batches that serve many requests (the audit
 * log's writes), which would otherwise keep the id of whichever request happened to start them.
 */
export function outsideRequests<T>(work: () => T): T {
  return scope.run(undefined, work);
}

/** The id of the request this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}

/**
 * Set on a logger that binds the request id itself (Fastify's request.log and its children,
 * which inherit it), so that the mixin does not write the id a second time.
 */
export const bindsRequestId: unique symbol = Symbol('gatehouse.bindsRequestId');
