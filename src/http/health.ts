import type { FastifyPluginAsync } from 'fastify';
import { headerSets, useHeaderSet } from './security-headers.js';

export interface HealthRoutesOptions {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
}

/** /healthz: the process answers. /readyz: the database answers too. */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { ping }) => {
  useHeaderSet(app, headerSets.api);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await ping();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
};
