import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callbackUrlOf } from '../../connections/connection.js';
import { connectionInputSchema, type ConnectionDeclaration } from '../../connections/connection-declaration.js';
import { connectionId, oidcConnectionInputSchema, oidcConnectionSettingsSchema, type OidcConnectionSettings } from '../../connections/connection-schema.js';
import { jwtConnectionInputSchema, jwtConnectionSettingsSchema, type JwtConnectionSettings } from '../../connections/jwt-connection-schema.js';
import type { ConnectionRow } from '../../db/queries/connections.js';
import { GatehouseError, isGatehouseError } from '../../errors/gatehouse-error.js';
import type { ApiContext } from '../management-api.js';
import { decodeCursor, pageFrom, pageOf, pageQuery } from '../pagination.js';
import { commonProblems, noContent, recordProblems } from '../problem.js';
import { timestamps } from '../timestamps.js';

/** What every connection's view has beside its type's settings: facts, never the secret itself. */
/** Where an upstream's client secret is sent, and as which client: what a kept secret must not move away from. */
const secretBoundFields = ['client_id', 'token_endpoint_auth_method', 'discovery_url', 'issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint'];

const facts = {
  id: connectionId,
  name: z.string(),
  enabled: z.boolean(),
  has_secret: z.boolean().describe('Whether a secret is stored (the upstream\'s client_secret, a partner\'s HMAC secret); it is never shown.'),
  declared: z.boolean().describe('Declared in the configuration file: change it there, not through the API.'),
  callback_url: z.string().nullable().describe('The URL at Gatehouse to register at the upstream (redirect URI) or give the partner (callback).'),
  ...timestamps,
};

/** Answers are encoded, not parsed, so the fields the file may write two ways (and normalizes) are shown as stored. */
const connectionView = z.discriminatedUnion('type', [
  oidcConnectionSettingsSchema.extend({ type: z.literal('oidc'), scopes: z.array(z.string()), email_domains: z.array(z.string()), ...facts })
    .strip().meta({ id: 'OidcConnection' }),
  jwtConnectionSettingsSchema.extend({ type: z.literal('jwt'), ...facts }).strip().meta({ id: 'JwtConnection' }),
]);

/**
 * A replacement: the configuration file's fields but the id, which is the path's. The secret may
 * be left out to keep the stored one, since no answer shows it; the rules across fields (discovery
 * URL or endpoints, one key for a partner) are checked on the whole, with the secret kept.
 */
const replaceBody = z.discriminatedUnion('type', [
  oidcConnectionSettingsSchema.extend({
    name: oidcConnectionInputSchema.shape.name, type: oidcConnectionInputSchema.shape.type, enabled: oidcConnectionInputSchema.shape.enabled,
    client_secret: oidcConnectionInputSchema.shape.client_secret.optional().describe('Left out: the stored secret stays.'),
  }),
  jwtConnectionSettingsSchema.extend({
    name: jwtConnectionInputSchema.shape.name, type: jwtConnectionInputSchema.shape.type, enabled: jwtConnectionInputSchema.shape.enabled,
    secret: jwtConnectionInputSchema.shape.secret.describe('Left out, with neither public_key nor jwks_uri given: the stored secret stays.'),
  }),
]);
type Replacement = z.output<typeof replaceBody>;

const idParams = z.object({ id: connectionId });

const reportView = z.object({
  connection_id: z.string(),
  ok: z.boolean().describe('Every check passed.'),
  checks: z.array(z.object({ check: z.string(), ok: z.boolean(), detail: z.string() })),
  sign_in_url: z.string().nullable().describe('When every check passed: a link that signs in through the upstream for real and shows what arrives, creating nothing.'),
}).meta({ id: 'ConnectionTestReport' });

/** A refusal about the declaration's fields (a URL the address policy refuses, say) as a problem with the request body. */
function asBodyProblem(error: unknown): unknown {
  if (!isGatehouseError(error) || error.code !== 'invalid_request' || error.details.length === 0) return error;
  const details = error.details.map((detail) => ({ path: detail.path.startsWith('body') ? detail.path : `body.${detail.path}`, message: detail.message }));
  return new GatehouseError('invalid_request', `The request is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, { details, cause: error });
}

/** Upstream identity providers (`oidc`) and partners signing users in with a JWT (`jwt`); secrets go in, never out. */
export async function connectionsRoutes(scope: FastifyInstance, { services, actor }: ApiContext): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const { connections } = services;
  const publicOrigin = services.deps.connections?.publicOrigin;
  const tags = ['connections'];

  /** The stored settings document with the row's facts; a type Gatehouse does not know fails the answer's schema (a 500). */
  function viewOf(row: ConnectionRow): z.output<typeof connectionView> {
    const common = {
      id: row.id,
      name: row.name,
      enabled: row.enabled === 1,
      has_secret: row.secret_sealed !== null,
      declared: row.owner === 'config_file',
      callback_url: publicOrigin === undefined ? null : callbackUrlOf(publicOrigin, { id: row.id, type: row.type === 'jwt' ? 'jwt' : 'oidc' }),
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    };
    return row.type === 'jwt'
      ? { ...(JSON.parse(row.settings) as JwtConnectionSettings), ...common, type: 'jwt' }
      : { ...(JSON.parse(row.settings) as OidcConnectionSettings), ...common, type: row.type as 'oidc' };
  }

  /**
   * A kept client secret is sent only where it was sent before: a replacement that changes where
   * it goes (an endpoint, the discovery URL), or as whom, must give the secret again, or whoever
   * may edit a connection could have Test connection send it to a server of their own.
   */
  function assertSecretGoesWhereItWent(current: ConnectionRow, body: Replacement): void {
    const stored = current.type === 'oidc' ? (JSON.parse(current.settings) as Record<string, unknown>) : {};
    const changed = current.type !== 'oidc' ? ['type'] : secretBoundFields.filter((field) => (body as Record<string, unknown>)[field] !== stored[field]);
    if (changed.length === 0) return;
    const message = `is needed again when ${changed.join(', ')} changes: a stored secret is only sent where it was sent before`;
    throw new GatehouseError('invalid_request', `The request is invalid: body.client_secret: ${message}`, { details: [{ path: 'body.client_secret', message }] });
  }

  async function found(id: string): Promise<ConnectionRow> {
    const row = await connections.findRow(id);
    if (!row) throw new GatehouseError('not_found', `No connection "${id}".`);
    return row;
  }

  /** The whole declaration a replacement stands for, the stored secret kept when left out, checked as the file's are. */
  async function declarationOf(id: string, body: Replacement): Promise<ConnectionDeclaration> {
    const input: Record<string, unknown> = { ...body, id };
    if (body.type === 'oidc' && body.client_secret === undefined) {
      assertSecretGoesWhereItWent(await found(id), body);
      input.client_secret = await connections.storedSecret(id, 'oidc');
    }
    if (body.type === 'jwt' && body.secret === undefined && body.public_key === undefined && body.jwks_uri === undefined) {
      input.secret = await connections.storedSecret(id, 'jwt');
    }
    const parsed = connectionInputSchema.safeParse(input);
    if (parsed.success) return parsed.data;
    const details = parsed.error.issues.map((issue) => ({ path: ['body', ...issue.path.map(String)].join('.'), message: issue.message }));
    throw new GatehouseError('invalid_request', `The request is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, { details });
  }

  app.get('/connections', {
    schema: {
      tags, summary: 'List connections in id order',
      querystring: z.object(pageQuery),
      response: { 200: pageOf(connectionView), ...commonProblems },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const [after] = decodeCursor(cursor, z.tuple([z.string()])) ?? [undefined];
    return pageFrom(await connections.listRowsAfter(after, limit + 1), limit, (row) => [row.id], viewOf);
  });

  app.post('/connections', {
    schema: {
      tags, summary: 'Create a connection; its URLs must be public unless GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS is set',
      body: connectionInputSchema,
      response: { 201: connectionView, ...recordProblems },
    },
  }, async (request, reply) => {
    await connections.createConnection(actor(request), request.body).catch((error: unknown) => {
      throw asBodyProblem(error);
    });
    return reply.code(201).send(viewOf(await found(request.body.id)));
  });

  app.get('/connections/:id', {
    schema: { tags, summary: 'Read a connection (without its secret)', params: idParams, response: { 200: connectionView, ...recordProblems } },
  }, async (request) => viewOf(await found(request.params.id)));

  app.put('/connections/:id', {
    schema: {
      tags, summary: 'Replace a connection\'s settings (what is left out takes its default; a secret left out stays)',
      params: idParams, body: replaceBody,
      response: { 200: connectionView, ...recordProblems },
    },
  }, async (request) => {
    const { id } = request.params;
    await found(id);
    const declaration = await declarationOf(id, request.body);
    const keepStoredSecret = request.body.type === 'oidc' ? request.body.client_secret === undefined
      : request.body.secret === undefined && request.body.public_key === undefined && request.body.jwks_uri === undefined;
    await connections.updateConnection(actor(request), declaration, { keepStoredSecret }).catch((error: unknown) => {
      throw asBodyProblem(error);
    });
    return viewOf(await found(id));
  });

  app.delete('/connections/:id', {
    schema: {
      tags, summary: 'Delete a connection; identities linked through it stay on their users',
      params: idParams, response: { ...noContent, ...recordProblems },
    },
  }, async (request, reply) => {
    await connections.deleteConnection(actor(request), request.params.id);
    return reply.code(204).send(null);
  });

  app.post('/connections/:id/test', {
    schema: {
      tags, summary: 'Test connection: each check of the setup against the upstream, with a reason for each failure',
      params: idParams, response: { 200: reportView, ...recordProblems },
    },
  }, async (request) => {
    const report = await connections.testConnection(request.params.id);
    return { connection_id: report.connectionId, ok: report.ok, checks: report.checks, sign_in_url: report.signInUrl ?? null };
  });
}
