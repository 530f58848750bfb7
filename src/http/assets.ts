import type { FastifyPluginAsync } from 'fastify';
import { stylesheetPath } from '../views/layout.js';
import { stylesheet } from '../views/stylesheet.js';
import { headerSets, useHeaderSet } from './security-headers.js';

/** The static files of the sign-in pages, served by Gatehouse itself and cacheable. */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  useHeaderSet(app, headerSets.asset);
  app.get(stylesheetPath, async (_request, reply) => reply.type('text/css; charset=utf-8').send(stylesheet));
};
