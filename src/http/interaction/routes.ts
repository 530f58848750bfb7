import type { FastifyPluginAsync } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AuditLog } from '../../audit/audit-log.js';
import { interactionRoute } from '../../oidc/interaction-path.js';
import type { Interactions } from '../../oidc/interactions.js';
import type { CustomScope } from '../../scopes/scope-service.js';
import { createCompleteSignIn, type SecondFactorGate } from '../../sign-in/complete-sign-in.js';
import { csrfField, formBody, interactionParams } from '../../sign-in/route-schemas.js';
import { createSignInEvents } from '../../sign-in/sign-in-events.js';
import type { SignInContext, SignInMethod, SignInRoutes } from '../../sign-in/sign-in-method.js';
import type { IdentityService } from '../../users/identity-service.js';
import type { UserService } from '../../users/user-service.js';
import type { Csrf } from './csrf.js';
import { createPromptPages, type PromptPages } from './prompt-pages.js';
import { createSignInContext } from './sign-in-context.js';
import { validationErrorFormatter } from './validation-errors.js';


export interface InteractionRouteDeps {
  interactions: Interactions;
  csrf: Csrf;
  /** The sign-in methods, in the order the login page shows them. */
  methods: readonly SignInMethod[];
  identities: IdentityService;
  users: Pick<UserService, 'findById'>;
  customScopes: () => CustomScope[];
  /** Where the connections' sign-ins are recorded as they complete. */
  audit: AuditLog;
  /** What every first factor passes before the sign-in finishes (the MFA policies). */
  gate: SecondFactorGate;
}

const csrfForm = formBody(csrfField);
const methodId = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Path segments the interaction's own routes take. */
const reserved = new Set(['consent', 'abort']);

/**
 * Gatehouse's sign-in and consent pages, at the URL oidc-provider sends the browser to, and every
 * sign-in method's routes. An encapsulated plugin: its route schemas are zod schemas, validated
 * before a handler runs, and what they refuse is answered by validation-errors.ts.
 */
export const interactionRoutes: FastifyPluginAsync<InteractionRouteDeps> = async (scope, deps) => {
  assertDistinctIds(deps.methods);
  scope.setValidatorCompiler(validatorCompiler);
  scope.setSerializerCompiler(serializerCompiler);
  scope.setSchemaErrorFormatter(validationErrorFormatter);
  const routes = scope.withTypeProvider<ZodTypeProvider>();
  const pages = createPromptPages(deps);
  const completeSignIn = createCompleteSignIn({ interactions: deps.interactions, identities: deps.identities, gate: deps.gate });
  const context = createSignInContext({ interactions: deps.interactions, pages, completeSignIn, events: createSignInEvents(deps.audit) });
  registerPromptRoutes(routes, deps, pages);
  for (const method of deps.methods) registerMethod(routes, method, context, deps.csrf);
};

function assertDistinctIds(methods: readonly SignInMethod[]): void {
  for (const [i, method] of methods.entries()) {
    if (!methodId.test(method.id) || reserved.has(method.id)) throw new Error(`sign-in method id "${method.id}" cannot be a path segment of its own`);
    if (methods.findIndex((other) => other.id === method.id) !== i) throw new Error(`two sign-in methods are called "${method.id}"`);
  }
}

function registerPromptRoutes(routes: SignInRoutes, { interactions, csrf, methods }: InteractionRouteDeps, pages: PromptPages): void {
  routes.get(interactionRoute, { schema: { params: interactionParams } }, async (request, reply) => {
    const pending = await interactions.load(request.raw, reply.raw, request.params.uid);
    if (pending.prompt === 'login') {
      for (const method of methods) {
        const answered = await method.shortcut?.(request, reply, pending);
        if (answered) return answered;
      }
    }
    return pages.show(reply, pending);
  });

  routes.post(`${interactionRoute}/consent`, { schema: { params: interactionParams, body: csrfForm } }, async (request, reply) => {
    const { uid } = request.params;
    csrf.verify(request, uid, request.body.csrf);
    return reply.redirect(await interactions.finishConsent(request.raw, reply.raw, uid), 303);
  });

  routes.post(`${interactionRoute}/abort`, { schema: { params: interactionParams, body: csrfForm } }, async (request, reply) => {
    const { uid } = request.params;
    csrf.verify(request, uid, request.body.csrf);
    return reply.redirect(await interactions.abort(request.raw, reply.raw, uid), 303);
  });
}

/**
 * Each method in a scope of its own, so that its hooks and decorations stay its own. Every form
 * a method receives under the interaction has its interaction loaded and its CSRF token checked
 * before the method's handler runs, so that no method can forget either.
 */
function registerMethod(routes: SignInRoutes, method: SignInMethod, context: SignInContext, csrf: Csrf): void {
  routes.register(async (scope) => {
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const { uid } = request.params as { uid: string };
      await context.load(request, reply, uid);
      csrf.verify(request, uid, (request.body as { csrf?: string } | undefined)?.csrf);
    });
    method.interactionRoutes(scope, context);
  }, { prefix: `${interactionRoute}/${method.id}` });
  const { fixedRoutes } = method;
  if (fixedRoutes) routes.register(async (scope) => fixedRoutes(scope, context));
}
