import type { FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { bindsRequestId, inRequest } from '../runtime/request-id-scope.js';

/**
 * Fastify's request loggers (request.log, reply.log), marked as binding `reqId` themselves:
 * the root logger's mixin then leaves it out of their lines instead of writing it twice.
 */
export const requestLoggers: NonNullable<FastifyServerOptions['childLoggerFactory']> = function (logger, bindings, options) {
  const child = logger.child(bindings, options);
  (child as { [bindsRequestId]?: true })[bindsRequestId] = true;
  return child;
};

/**
 * Serves every request inside its id's scope (runtime/request-id-scope.ts), so that any line
 * logged meanwhile carries its `reqId`: entered once, at the first hook, by one call without a
 * promise. Everything after it continues in the scope, a body that arrives later included
 * (Fastify runs its body parsers' continuation in the scope the request was in). On the root
 * scope (fastify-plugin); register it before anything else.
 */
export const requestLogScope = fp(
  async (app) => {
    app.addHook('onRequest', (request, _reply, done) => inRequest(request.id, done));
  },
  { name: 'gatehouse-request-log-scope' },
);
