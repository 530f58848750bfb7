import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiResourceRow } from '../../db/queries/api-resources.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { resourceInputSchema } from '../../resources/resource-schema.js';
import { toResource } from '../../resources/resource-service.js';
import type { ApiContext } from '../management-api.js';
import { decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems, noContent, recordProblems } from '../problem.js';
import { timestamps } from '../timestamps.js';

/** An API resource as the API shows it: the configuration file's fields and facts. */
const resourceView = resourceInputSchema.extend({
  declared: z.boolean().describe('Declared in the configuration file: change it there, not through the API.'),
  ...timestamps,
}).strip().meta({ id: 'ApiResource' });

/** The identifier is a URI: percent-encode it as one path segment (`urn%3Aexample%3Aorders`, `https%3A%2F%2Fapi.example.com`). */
const identifierParams = z.object({ identifier: resourceInputSchema.shape.identifier });

/** A resource's fields, replaced whole (what is left out takes its default); the identifier is the path's. */
const replaceBody = resourceInputSchema.omit({ identifier: true });

function viewOf(row: ApiResourceRow) {
  return {
    ...toResource(row),
    declared: row.owner === 'config_file',
    created_at: new Date(Number(row.created_at)).toISOString(),
    updated_at: new Date(Number(row.updated_at)).toISOString(),
  };
}

/**
 * API resources (RFC 8707): each change moves the engine state in its transaction, so every
 * instance accepts the resource as it is now within a second or two, without a restart.
 */
export async function resourcesRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { resources } = services;
  const tags = ['resources'];

  async function found(identifier: string): Promise<ApiResourceRow> {
    const row = await resources.find(identifier);
    if (!row) throw new GatehouseError('not_found', `No API resource "${identifier}".`);
    return row;
  }

  app.get('/resources', {
    schema: {
      tags,
      summary: 'List the API resources in identifier order',
      querystring: z.object(pageQuery),
      response: { 200: pageOf(resourceView), ...commonProblems },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const [after] = decodeCursor(cursor, z.tuple([z.string()])) ?? [undefined];
    const rows = await resources.listAfter(after, limit + 1);
    return pageFrom(rows, limit, (row) => [row.identifier], viewOf);
  });

  app.post('/resources', {
    schema: {
      tags, summary: 'Create an API resource; every instance issues access tokens for it within seconds',
      body: resourceInputSchema,
      response: { 201: resourceView, ...recordProblems },
    },
  }, async (request, reply) => {
    await resources.createResource(actor(request), request.body);
    return reply.code(201).send(viewOf(await found(request.body.identifier)));
  });

  app.get('/resources/:identifier', {
    schema: { tags, summary: 'Read an API resource', params: identifierParams, response: { 200: resourceView, ...recordProblems } },
  }, async (request) => viewOf(await found(request.params.identifier)));

  app.put('/resources/:identifier', {
    schema: {
      tags, summary: 'Replace an API resource\'s settings; tokens issued from then on follow them, on every instance within seconds',
      params: identifierParams, body: replaceBody,
      response: { 200: resourceView, ...recordProblems },
    },
  }, async (request) => {
    const { identifier } = request.params;
    await resources.updateResource(actor(request), { ...request.body, identifier });
    return viewOf(await found(identifier));
  });

  app.delete('/resources/:identifier', {
    schema: {
      tags, summary: 'Delete an API resource no application names a scope of; requests naming it are refused (invalid_target) within seconds',
      params: identifierParams, response: { ...noContent, ...recordProblems },
    },
  }, async (request, reply) => {
    await resources.deleteResource(actor(request), request.params.identifier);
    return reply.code(204).send(null);
  });
}
