import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ScopeRow } from '../../db/queries/scopes.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { scopeInputSchema } from '../../scopes/scope-schema.js';
import { isStandardScope, standardScopeNames, standardScopes } from '../../scopes/standard-scopes.js';
import type { ApiContext } from '../management-api.js';
import { decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems, noContent, recordProblems } from '../problem.js';
import { timestamps } from '../timestamps.js';

/** A custom scope as the API shows it: the configuration file's fields and facts. */
const scopeView = scopeInputSchema.extend({
  declared: z.boolean().describe('Declared in the configuration file: change it there, not through the API.'),
  ...timestamps,
}).strip().meta({ id: 'Scope' });

/** A scope Gatehouse defines itself: read-only, and no custom scope may take its name. */
const standardScopeView = z.object({ name: z.string(), description: z.string(), claims: z.array(z.string()) }).strip().meta({ id: 'StandardScope' });

/** A name as a custom scope may have it: a standard one (gatehouse:manage included) is refused as the caller's mistake. */
const customNameParams = z.object({ name: scopeInputSchema.shape.name });
/** Any scope name, so that reading a standard one can say where it is listed instead of refusing the name. */
const anyNameParams = z.object({ name: z.string().min(1).max(100) });

/** A scope's fields, replaced whole; the name is the path's. */
const replaceBody = scopeInputSchema.omit({ name: true });

const standardList = standardScopeNames.map((name) => ({ name, description: standardScopes[name].description, claims: [...standardScopes[name].claims] }));

function viewOf(row: ScopeRow) {
  return {
    name: row.name,
    description: row.description,
    claims: JSON.parse(row.claims) as string[],
    declared: row.owner === 'config_file',
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/**
 * Custom scopes: each change moves the engine state in its transaction, so every instance
 * offers and releases the scope as it is now within a second or two, without a restart.
 */
export async function scopesRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { scopes } = services;
  const tags = ['scopes'];

  async function found(name: string): Promise<ScopeRow> {
    const row = await scopes.find(name);
    if (row) return row;
    if (isStandardScope(name)) throw new GatehouseError('not_found', `"${name}" is a standard scope: GET /api/v1/scopes lists it under \`standard\`; it cannot be read or changed here.`);
    throw new GatehouseError('not_found', `No scope "${name}".`);
  }

  app.get('/scopes', {
    schema: {
      tags,
      summary: 'List the custom scopes in name order; the standard scopes (OpenID Connect\'s, groups, gatehouse:manage) are listed apart under `standard`, the same on every page',
      querystring: z.object(pageQuery),
      response: {
        200: pageOf(scopeView).extend({ standard: z.array(standardScopeView).describe('The scopes Gatehouse defines itself: read-only, and no custom scope may take their names.') }),
        ...commonProblems,
      },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const [after] = decodeCursor(cursor, z.tuple([z.string()])) ?? [undefined];
    const rows = await scopes.listAfter(after, limit + 1);
    return { ...pageFrom(rows, limit, (row) => [row.name], viewOf), standard: standardList };
  });

  app.post('/scopes', {
    schema: {
      tags, summary: 'Create a custom scope; every instance offers it within seconds',
      body: scopeInputSchema,
      response: { 201: scopeView, ...recordProblems },
    },
  }, async (request, reply) => {
    await scopes.createScope(actor(request), request.body);
    return reply.code(201).send(viewOf(await found(request.body.name)));
  });

  app.get('/scopes/:name', {
    schema: { tags, summary: 'Read a custom scope', params: anyNameParams, response: { 200: scopeView, ...recordProblems } },
  }, async (request) => viewOf(await found(request.params.name)));

  app.put('/scopes/:name', {
    schema: {
      tags, summary: 'Replace a custom scope\'s description and claims; every instance releases them within seconds',
      params: customNameParams, body: replaceBody,
      response: { 200: scopeView, ...recordProblems },
    },
  }, async (request) => {
    const { name } = request.params;
    await scopes.updateScope(actor(request), { ...request.body, name });
    return viewOf(await found(name));
  });

  app.delete('/scopes/:name', {
    schema: {
      tags, summary: 'Delete a custom scope no application names (in scope or id_token_claims_scopes)',
      params: customNameParams, response: { ...noContent, ...recordProblems },
    },
  }, async (request, reply) => {
    await scopes.deleteScope(actor(request), request.params.name);
    return reply.code(204).send(null);
  });
}
