import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applicationObjectSchema, withApplicationRules, type ApplicationMetadata } from '../../applications/application-schema.js';
import type { ClientValidator } from '../../applications/application-service.js';
import type { ApplicationRow } from '../../db/queries/applications.js';
import { GatehouseError, isGatehouseError } from '../../errors/gatehouse-error.js';
import type { ApiContext } from '../management-api.js';
import { confirmedRows, decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems, noContent, recordProblems } from '../problem.js';
import { timestamps } from '../timestamps.js';

/** What the API shows of an application: its client metadata and facts, never its secret. */
const applicationView = applicationObjectSchema.omit({ client_secret: true }).extend({
  response_types: z.array(z.string()),
  has_client_secret: z.boolean(),
  declared: z.boolean().describe('Declared in the configuration file: change it there, not through the API.'),
  ...timestamps,
}).strip().meta({ id: 'Application' });

const clientIdParams = z.object({ client_id: applicationObjectSchema.shape.client_id });

/**
 * A new application: the configuration file's fields; a secret-using one without `client_secret`
 * gets a generated one. The default grant (authorization_code) also needs `redirect_uris`, which
 * the engine checks after the schema.
 */
const createBody = withApplicationRules(applicationObjectSchema)
  .describe('The client metadata of the configuration file. With the default grant type, authorization_code, redirect_uris is needed too.');
/** An application's settings, replaced whole (what is left out takes its default); the secret only changes by rotation. */
const replaceBody = withApplicationRules(applicationObjectSchema.omit({ client_id: true, client_secret: true }));

function viewOf(row: ApplicationRow) {
  return {
    ...(JSON.parse(row.metadata) as ApplicationMetadata),
    has_client_secret: row.client_secret_sealed !== null,
    declared: row.owner === 'config_file',
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/**
 * The engine's own client checks, with its refusal as the caller's problem: its messages start
 * with the field they are about ("redirect_uris must only contain web uris").
 */
function checkedByEngine(validator: ClientValidator): ClientValidator {
  return async (metadata) => {
    try {
      await validator(metadata);
    } catch (error) {
      if (!isGatehouseError(error) || error.code !== 'config_invalid') throw error;
      const field = Object.keys(applicationObjectSchema.shape).find((name) => new RegExp(`^${name}(?![a-z_])`).test(error.message)) ?? 'body';
      const path = field === 'body' ? 'body' : `body.${field}`;
      throw new GatehouseError('invalid_request', `The request is invalid: ${path}: ${error.message}`, { details: [{ path, message: error.message }], cause: error });
    }
  };
}

/** Applications (OIDC clients): served by every instance as soon as a change commits. */
export async function applicationRoutes(scope: FastifyInstance, { services, clientValidator, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { applications } = services;
  const tags = ['applications'];

  async function found(clientId: string): Promise<ApplicationRow> {
    const row = await applications.find(clientId);
    if (!row) throw new GatehouseError('not_found', `No application "${clientId}".`);
    return row;
  }

  app.get('/applications', {
    schema: {
      tags, summary: 'List applications, in client_id order',
      querystring: z.object({ ...pageQuery, q: z.string().min(1).max(200).optional().describe('Only applications whose client_id or client_name contains this, ignoring case.') }),
      response: { 200: pageOf(applicationView), ...commonProblems },
    },
  }, async (request) => {
    const { limit, cursor, q } = request.query;
    const [after] = decodeCursor(cursor, z.tuple([z.string()])) ?? [undefined];
    const needle = q?.toLowerCase();
    const matches = (row: ApplicationRow) => needle === undefined || row.client_id.toLowerCase().includes(needle)
      || ((JSON.parse(row.metadata) as ApplicationMetadata).client_name ?? '').toLowerCase().includes(needle);
    // The database narrows only by text it folds and stores as typed: SQLite's lower() folds ASCII
    // alone, and the metadata's JSON escapes quotes and backslashes. Other text is confirmed here only.
    const narrowing = q !== undefined && /^[\x20-\x7e]*$/.test(q) && !/["\\]/.test(q) ? q : undefined;
    const rows = await confirmedRows((from, batch) => applications.listAfter(from, batch, narrowing), matches, (row) => row.client_id, after, limit);
    return pageFrom(rows, limit, (row) => [row.client_id], viewOf);
  });

  app.post('/applications', {
    schema: {
      tags, summary: 'Create an application; a generated client_secret is returned this once',
      body: createBody,
      response: { 201: applicationView.extend({ client_secret: z.string().optional().describe('The generated secret: shown this once.') }), ...recordProblems },
    },
  }, async (request, reply) => {
    const { generatedSecret } = await applications.createApplication(actor(request), request.body, checkedByEngine(clientValidator()));
    const row = await found(request.body.client_id);
    return reply.code(201).send({ ...viewOf(row), ...(generatedSecret ? { client_secret: generatedSecret } : {}) });
  });

  app.get('/applications/:client_id', {
    schema: { tags, summary: 'Read an application', params: clientIdParams, response: { 200: applicationView, ...recordProblems } },
  }, async (request) => viewOf(await found(request.params.client_id)));

  app.put('/applications/:client_id', {
    schema: {
      tags, summary: 'Replace an application\'s settings (its secret stays; rotate it apart)',
      params: clientIdParams, body: replaceBody,
      response: { 200: applicationView.extend({ client_secret: z.string().optional().describe('Generated when the change made the application need a secret: shown this once.') }), ...recordProblems },
    },
  }, async (request) => {
    const { client_id: clientId } = request.params;
    const { generatedSecret } = await applications.updateApplication(actor(request), { ...request.body, client_id: clientId }, checkedByEngine(clientValidator()));
    return { ...viewOf(await found(clientId)), ...(generatedSecret ? { client_secret: generatedSecret } : {}) };
  });

  app.delete('/applications/:client_id', {
    schema: { tags, summary: 'Delete an application; its tokens stop working at once', params: clientIdParams, response: { ...noContent, ...recordProblems } },
  }, async (request, reply) => {
    await applications.deleteApplication(actor(request), request.params.client_id);
    return reply.code(204).send(null);
  });

  app.post('/applications/:client_id/rotate-secret', {
    schema: {
      tags, summary: 'Give the application a new generated secret, returned this once; the old one stops working at once',
      params: clientIdParams,
      response: { 200: z.object({ client_id: z.string(), client_secret: z.string() }), ...recordProblems },
    },
  }, async (request) => {
    const { client_id: clientId } = request.params;
    return { client_id: clientId, client_secret: await applications.rotateClientSecret(actor(request), clientId) };
  });
}
