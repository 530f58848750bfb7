import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { defaults } from '../config/defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { sendError } from '../http/error-responses.js';
import { headerSets, setHeaderSet } from '../http/security-headers.js';

export interface ConsoleRoutesOptions {
  /** The console's build (console-files.ts); without one, /console says how to build it. */
  directory: string | undefined;
}

/**
 * The admin console (console/): a single-page application, so every path under /console that
 * is not one of its files answers its index.html and the console's router takes it from there.
 * Hashed assets are cached for a year, the index never without asking again; both are sent
 * compressed as the build wrote them (.br, .gz) when the browser accepts it.
 */
export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, { directory }) => {
  const base = defaults.console.path;
  app.get(base, async (_request, reply) => reply.redirect(`${base}/`));
  if (directory === undefined) {
    // Said once to the operator, at start; each visit gets the error's title without a log line of its own.
    app.log.warn('the admin console is not built (no dist/console-app/index.html): run npm run build; /console answers 503 until then');
    app.get(`${base}/*`, async (request, reply) => sendError(request, reply, new GatehouseError('console_not_built', 'The admin console is not built.')));
    return;
  }
  await app.register(fastifyStatic, { root: directory, serve: false, preCompressed: true, index: false, etag: true, lastModified: false });
  app.get(`${base}/assets/:file`, async (request, reply) => {
    setHeaderSet(reply, headerSets.consoleAsset);
    return reply.sendFile(`assets/${(request.params as { file: string }).file}`, { cacheControl: false });
  });
  app.get(`${base}/*`, async (_request, reply) => {
    setHeaderSet(reply, headerSets.console);
    return reply.sendFile('index.html', { cacheControl: false });
  });
};
