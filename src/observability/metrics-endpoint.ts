import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { defaults } from '../config/defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { sendError } from '../http/error-responses.js';
import { headerSets, useHeaderSet } from '../http/security-headers.js';
import { createInstanceMetrics } from './instance-metrics.js';
import type { Metrics } from './metrics.js';
import { routeLabel } from './route-label.js';

export interface MetricsOptions {
  metrics: Metrics;
  /** The bearer token a scrape must present (GATEHOUSE_METRICS_TOKEN): without one, app.ts registers neither this nor the timing. */
  token: string;
}

/** Hashed first, so that the comparison takes the same time whatever the lengths. */
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Times every answer, on the root scope (fastify-plugin) so that every route's are, the engine's
 * under /oidc included (Fastify runs onResponse when the Node response finishes, even for a
 * reply the mount hijacked).
 */
export const requestMetrics = fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      metrics.requestAnswered(routeLabel(request), request.method, reply.statusCode, reply.elapsedTime / 1000);
    });
  },
  { name: 'gatehouse-request-metrics' },
);

/**
 * GET /metrics in Prometheus's text format, only when GATEHOUSE_METRICS_TOKEN is set and only to
 * a scrape that presents it: the counts say how busy the server is, how many sign-ins fail and
 * which grants are used, which is nobody else's business (docs/operations.md#metrics). With
 * workers, the whole instance's, whichever worker the scrape reached (instance-metrics.ts).
 */
export const metricsEndpoint: FastifyPluginAsync<MetricsOptions> = async (scope, { metrics, token }) => {
  const expected = digest(token);
  const instance = createInstanceMetrics(metrics.registry, defaults.observability.workerMetricsMilliseconds);
  scope.addHook('onClose', async () => instance.stop());
  useHeaderSet(scope, headerSets.api);
  scope.get('/metrics', async (request, reply) => {
    const presented = /^Bearer +(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(presented), expected)) {
      reply.header('www-authenticate', 'Bearer realm="gatehouse-metrics"');
      return sendError(request, reply, new GatehouseError('unauthorized', 'A scrape of /metrics needs the bearer token set in GATEHOUSE_METRICS_TOKEN.'));
    }
    const { text, missing, alone } = await instance.scrape();
    if (missing.length > 0) request.log.warn({ missingWorkers: missing }, 'workers did not answer in time: their metrics are missing from this scrape');
    if (alone) request.log.warn('the supervisor did not answer in time: this scrape holds the metrics of the worker it reached alone');
    return reply.type(metrics.registry.contentType).send(text);
  });
};
