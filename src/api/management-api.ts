import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ClientValidator } from '../applications/application-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { headerSets, useHeaderSet } from '../http/security-headers.js';
import type { Services } from '../services.js';
import type { PresentedToken } from '../oidc/access-tokens.js';
import type { Actor } from '../runtime/actor.js';
import { actorOf, createAuthenticate, type ApiCaller } from './authenticate.js';
import { refuseNul } from './refuse-nul.js';
import { applicationRoutes } from './routes/applications.js';
import { auditEventsRoutes } from './routes/audit-events.js';
import { brandingRoutes } from './routes/branding.js';
import { connectionsRoutes } from './routes/connections.js';
import { emailOutboxRoutes } from './routes/email-outbox.js';
import { emailSettingsRoutes } from './routes/email-settings.js';
import { groupsRoutes } from './routes/groups.js';
import { keysRoutes } from './routes/keys.js';
import { mfaSettingsRoutes } from './routes/mfa-settings.js';
import { resourcesRoutes } from './routes/resources.js';
import { scopesRoutes } from './routes/scopes.js';
import { userFactorsRoutes } from './routes/user-factors.js';
import { usersRoutes } from './routes/users.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called the management API; set on every /api/v1 request before its handler runs. */
    apiCaller: ApiCaller | null;
  }
}

export interface ManagementApiDeps {
  services: Services;
  audit: AuditLog;
  /** An access token as the current engine knows it. */
  findToken: (value: string) => Promise<PresentedToken | undefined>;
  /** The current engine's client validation: an application is checked by the rules that will serve it. */
  clientValidator: () => ClientValidator;
  publicUrl: URL;
}

/** What every route module of the API gets. */
export interface ApiContext extends Omit<ManagementApiDeps, 'findToken' | 'publicUrl'> {
  /** The actor a request's changes are recorded under. */
  actor(request: FastifyRequest): Actor;
}

export type ApiRoutes = (app: FastifyInstance, context: ApiContext) => Promise<void>;

/** Every resource of /api/v1, each a module of its own under routes/. */
const resources: ApiRoutes[] = [
  applicationRoutes, usersRoutes, userFactorsRoutes, groupsRoutes, scopesRoutes, resourcesRoutes, connectionsRoutes, keysRoutes, brandingRoutes, mfaSettingsRoutes, emailSettingsRoutes, emailOutboxRoutes, auditEventsRoutes,
];

/**
 * The management API: /api/v1 for administrators and automation, and /api/openapi.json, which is
 * generated from the same zod schemas that validate each request and shape each answer (a field
 * not in a route's response schema is never sent, so no secret leaks by accident).
 */
export const managementApi: FastifyPluginAsync<ManagementApiDeps> = async (app, deps) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.setValidatorCompiler(validatorCompiler);
  api.setSerializerCompiler(serializerCompiler);
  useHeaderSet(app, headerSets.api);
  await api.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse management API',
        version: '1',
        description: 'Manage users and their second factors, applications, scopes, API resources, connections, keys, the MFA policy, the SMTP settings and the sign-in pages\' branding, and read the email outbox and the audit log. See docs/management-api.md.',
      },
      servers: [{ url: deps.publicUrl.origin }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token Gatehouse issued with the scope gatehouse:manage.' } } },
      security: [{ bearer: [] }],
    },
    transform: createJsonSchemaTransform({ skipList: ['/api/openapi.json'] }),
    transformObject: createJsonSchemaTransformObject({}),
  });
  api.get('/api/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  const { clients } = deps.services.protection;
  const authenticate = createAuthenticate({
    findToken: deps.findToken, findUser: deps.services.users.findById, audit: deps.audit,
    failures: { blockedFor: (address) => clients.blockedFor(address, undefined), record: (address) => clients.recordFailure(address, undefined) },
  });
  api.decorateRequest('apiCaller', null);
  await api.register(async (v1) => {
    v1.addHook('onRequest', async (request, reply) => {
      request.apiCaller = await authenticate(request, reply);
    });
    v1.addHook('preValidation', refuseNul);
    const context: ApiContext = {
      services: deps.services,
      audit: deps.audit,
      clientValidator: deps.clientValidator,
      actor: (request) => actorOf(request.apiCaller!),
    };
    for (const routes of resources) await routes(v1, context);
  }, { prefix: '/api/v1' });
};
