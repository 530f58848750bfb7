import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuditLog } from './audit/audit-log.js';
import { defaults } from './config/defaults.js';
import type { GatehouseConfig } from './config/load.js';
import { managementApi } from './api/management-api.js';
import { accountRoutes } from './account/account-routes.js';
import type { AccountDeps } from './account/account-deps.js';
import type { BackgroundSends } from './account/recovery/background-sends.js';
import { createOwnerNotifier } from './account/notify-owner.js';
import { recoveryRoutes, verifiedEmailTicketKey } from './account/recovery-routes.js';
import { securityRoutes } from './account/security-routes.js';
import { createSignedValues } from './crypto/signed-values.js';
import { createPlainSession } from './sign-in/plain-session.js';
import { consoleDirectory } from './console/console-files.js';
import { consoleRoutes } from './console/console-routes.js';
import { AccessLog } from './http/access-log.js';
import { assetRoutes } from './http/assets.js';
import { brandedPages } from './http/branding.js';
import { localizedPages } from './http/locale.js';
import { GatehouseError } from './errors/gatehouse-error.js';
import { errorResponses, sendError } from './http/error-responses.js';
import { healthRoutes } from './http/health.js';
import { homeRoute } from './http/home.js';
import { createCsrf } from './http/interaction/csrf.js';
import { interactionRoutes } from './http/interaction/routes.js';
import { oidcMount } from './http/mount-oidc.js';
import { clientIpOf, requestContext, requestIds } from './http/request-context.js';
import { requestLoggers, requestLogScope } from './http/request-log-scope.js';
import { defaultHeaderSet } from './http/security-headers.js';
import type { Metrics } from './observability/metrics.js';
import { metricsEndpoint, requestMetrics } from './observability/metrics-endpoint.js';
import type { EngineHolder } from './oidc/engine-holder.js';
import { findAccessToken } from './oidc/access-tokens.js';
import { createInteractions } from './oidc/interactions.js';
import { createClientValidator } from './oidc/provider.js';
import type { Services } from './services.js';
import type { OidcMethod } from './sign-in/oidc/oidc-method.js';
import { inOrder } from './sign-in/complete-sign-in.js';
import { createPasswordMethod } from './sign-in/password-method.js';
import { verifiedEmailShortcut, verifiedEmailStep } from './sign-in/verified-email-step.js';
import type { PasswordSignIn } from './sign-in/password-sign-in.js';
import type { SignInMethod } from './sign-in/sign-in-method.js';
import type { RequirementFor } from './mfa/mfa-requirement.js';
import type { PasskeyCeremonies } from './mfa/passkey-ceremonies.js';
import type { MfaSignInQueries } from './db/queries/mfa-sign-ins.js';
import { createMfaFlow } from './sign-in/mfa/mfa-flow.js';
import { createMfaMethod } from './sign-in/mfa/mfa-method.js';
import { createMfaPages } from './sign-in/mfa/mfa-pages.js';
import { createPasskeyMethod } from './sign-in/passkey/passkey-method.js';

export interface AppParts {
  config: GatehouseConfig;
  logger: Logger;
  services: Services;
  engine: EngineHolder;
  signIn: PasswordSignIn;
  /** Sign-in through the connections (upstream OpenID Connect providers), and their home-realm discovery. */
  upstreamSignIn: OidcMethod;
  /** Sign-in with partners' signed JWTs (the `jwt` connections). */
  partnerSignIn: SignInMethod;
  /** Where consent and the connections' sign-ins are recorded. */
  audit: AuditLog;
  /** Present when GATEHOUSE_METRICS_TOKEN is set: requests are timed and /metrics served only then. */
  metrics?: Metrics;
  /** What a sign-in must prove (the MFA policies): the second-factor gate asks it after every first factor. */
  requirementFor: RequirementFor;
  /** WebAuthn registration and sign-in with passkeys, for this server's origin. */
  passkeys: PasskeyCeremonies;
  /** Sign-ins past their first factor, kept by interaction so that any instance continues them. */
  mfaSignIns: MfaSignInQueries;
  /** Mail queued after an answer has gone (forgot password), awaited before the server closes. */
  background: BackgroundSends;
}

/** Wires HTTP only: Gatehouse's routes and the protocol engine under /oidc. Nothing here touches storage. */
export async function buildApp(parts: AppParts): Promise<FastifyInstance> {
  const { config, logger, services, engine, signIn, upstreamSignIn, partnerSignIn, audit, metrics } = parts;
  const accessLog = new AccessLog();
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    genReqId: requestIds(config.trustedProxies),
    // One access line per request, and no reqId written twice (docs/operations.md#logs).
    logController: accessLog,
    childLoggerFactory: requestLoggers,
    bodyLimit: defaults.bodyLimitBytes,
    routerOptions: { maxParamLength: defaults.maxPathParamLength },
    // The router's own refusals (a path segment too long, a malformed URL) come before any handler: answered as every other error, without echoing the URL.
    frameworkErrors: (_error, request, reply) => {
      accessLog.whenAnswered(request, reply);
      return sendError(request, reply, new GatehouseError('invalid_request', 'The request URL is malformed, or one of its path segments is longer than Gatehouse accepts.'));
    },
  });
  await app.register(requestLogScope);
  await app.register(requestContext, { publicUrl: config.publicUrl });
  if (metrics) await app.register(requestMetrics, { metrics });
  await app.register(defaultHeaderSet);
  await app.register(errorResponses);
  await app.register(formbody);
  await app.register(healthRoutes, { ping: services.ping });
  await app.register(brandedPages, { branding: services.branding });
  await app.register(localizedPages, { secure: config.publicUrl.protocol === 'https:' });
  await app.register(assetRoutes, { branding: services.branding });
  await app.register(homeRoute);
  if (metrics && config.metricsToken !== undefined) await app.register(metricsEndpoint, { metrics, token: config.metricsToken });
  const interactions = createInteractions(() => engine.current(), { audit, clientIp: clientIpOf });
  const csrf = createCsrf(services.deps.box.derive('csrf'));
  const { mfa } = services;
  const flow = createMfaFlow({ signIns: parts.mfaSignIns, clock: services.deps.clock, interactions, requirementFor: parts.requirementFor, protection: services.protection, audit });
  const verifiedEmail = verifiedEmailStep({
    applications: services.applications, users: services.users,
    tickets: createSignedValues(services.deps.box.derive(verifiedEmailTicketKey), services.deps.clock),
  });
  const secondStep = createMfaMethod({
    flow, pages: createMfaPages({ csrf, totp: mfa.totp, users: services.users }),
    totp: mfa.totp, recoveryCodes: mfa.recoveryCodes, passkeys: parts.passkeys, users: services.users, audit,
    notifyOwner: createOwnerNotifier({ services, clock: services.deps.clock, publicOrigin: config.publicUrl.origin }),
  });
  await app.register(interactionRoutes, {
    interactions,
    csrf,
    methods: [
      createPasswordMethod(signIn, { homeRealm: upstreamSignIn.homeRealm }), createPasskeyMethod({ ceremonies: parts.passkeys, users: services.users, audit }),
      upstreamSignIn, partnerSignIn, secondStep, verifiedEmailShortcut(verifiedEmail),
    ],
    gate: inOrder(verifiedEmail, flow.hold),
    identities: services.identities,
    users: services.users,
    customScopes: () => engine.state().customScopes,
    audit,
  });
  const account: AccountDeps = {
    engine: () => engine.current(),
    services,
    csrf,
    plainSession: createPlainSession({
      issuer: config.issuer, publicOrigin: config.publicUrl.origin, returns: createSignedValues(services.deps.box.derive('plain session return'), services.deps.clock),
    }),
    requirementFor: parts.requirementFor,
    audit,
    clock: services.deps.clock,
    publicOrigin: config.publicUrl.origin,
    background: parts.background,
  };
  await app.register(securityRoutes, { ...account, passkeys: parts.passkeys });
  await app.register(accountRoutes, account);
  await app.register(recoveryRoutes, account);
  await app.register(managementApi, {
    services,
    audit,
    publicUrl: config.publicUrl,
    findToken: (value) => findAccessToken(engine.current(), value),
    clientValidator: () => createClientValidator(engine.current()),
  });
  await app.register(consoleRoutes, { directory: consoleDirectory() });
  await app.register(oidcMount, { engine });
  return app;
}
