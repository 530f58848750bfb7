import type { ClientValidator } from '../applications/application-service.js';
import { discardingAuditLog } from '../audit/audit-log.js';
import { createClientValidator, createProvider } from '../oidc/provider.js';
import { createLogger } from '../runtime/logger.js';
import type { CliContext } from './cli-context.js';

/**
 * The engine's client validation, as a start checks the configuration file's applications with
 * (gatehouse.ts, `validatorFor`): an engine built from the stored custom scopes and keys, whose
 * client rules (response types, auth methods, algorithms, the scopes an application may name) are
 * the server's. It is only asked to validate, never to serve a request, so what serves requests
 * (password sign-in, upstream sessions) is left inert here.
 */
export async function clientValidator(context: CliContext): Promise<ClientValidator> {
  const { services } = context;
  const engine = createProvider({
    issuer: context.config.issuer,
    db: services.deps.db,
    clock: services.deps.clock,
    logger: createLogger('silent'),
    applications: services.applications,
    users: services.users,
    signIn: async () => ({ ok: false, reason: 'invalid_credentials' }),
    clientIp: () => '0.0.0.0',
    clientAuthLimits: services.protection.clients,
    federatedSessions: { loggedIn: async () => {}, loggedOut: async () => undefined },
    audit: discardingAuditLog,
    requirementFor: async () => ({ level: 'pwd', askEnrolled: false, enrolled: { totp: false, passkeys: 0, recoveryCodes: 0 } }),
  }, await services.engineSource.load());
  return createClientValidator(engine);
}
