import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.js';
import type { OidcConnection } from '../../connections/connection.js';
import type { ConnectionsOfType } from '../../connections/connection-service.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../db/database.js';
import type { FederatedSessions } from '../../oidc/federated-sessions.js';
import type { Clock } from '../../runtime/clock.js';
import type { IdentityService } from '../../users/identity-service.js';
import type { UserService } from '../../users/user-service.js';
import { createBrowserBinding } from '../detour/browser-binding.js';
import { createDeparture, type UpstreamConfiguration } from './depart.js';
import { createDetours } from '../detour/detours.js';
import { createOidcMethod, type OidcMethod } from './oidc-method.js';
import { createSignedValues, type SignedValues } from '../../crypto/signed-values.js';
import { registerTestRoutes, testSignInUrl } from './test-routes.js';
import { createUpstreamAccounts } from './upstream-accounts.js';
import { createUpstreamLogout } from './upstream-logout.js';
import { createSignInEvents } from '../sign-in-events.js';

export interface UpstreamSignInDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  logger: Logger;
  /** GATEHOUSE_PUBLIC_URL's origin: the connections' callback and post-logout URLs are there. */
  publicOrigin: string;
  /** The connections service: this method reads the `oidc` ones. */
  connections: { ofType(type: 'oidc'): ConnectionsOfType<OidcConnection>; upstreamConfiguration: UpstreamConfiguration };
  identities: IdentityService;
  users: UserService;
  /** Where sign-ins through the connections, and their refusals, are recorded. */
  audit: AuditLog;
}

export interface UpstreamSignIn {
  /** The sign-in method (`oidc`), with home-realm discovery for the password method. */
  method: OidcMethod;
  /** For the engine: the upstream sessions behind its sessions, ended at logout. */
  federatedSessions: FederatedSessions;
}

/** Test connection's links are signed with a key of their own, the same on the server and in the CLI. */
const testLinksOf = (box: SecretBox, clock: Clock): SignedValues => createSignedValues(box.derive('connection test sign-in'), clock);

/**
 * The sign-in URL of Test connection's report (ConnectionServiceDeps.testSignInUrl): a link an
 * administrator opens, valid for minutes, that signs in through the connection for real and
 * shows what came back. Made wherever the services are (the server, the CLI) from the master secret.
 */
export function createTestSignInUrl({ box, clock, publicOrigin }: { box: SecretBox; clock: Clock; publicOrigin: string }) {
  const links = testLinksOf(box, clock);
  return async (connection: OidcConnection): Promise<string> => testSignInUrl(links, publicOrigin, connection.id);
}

/** Sign-in through upstream OpenID Connect providers, assembled from the services it stands on. */
export function createUpstreamSignIn(deps: UpstreamSignInDeps): UpstreamSignIn {
  const { db, box, clock, logger, publicOrigin } = deps;
  const connections = deps.connections.ofType('oidc');
  const upstream: UpstreamConfiguration = (connection) => deps.connections.upstreamConfiguration(connection);
  const detours = createDetours({ db, box, clock });
  const binding = createBrowserBinding(publicOrigin);
  const events = createSignInEvents(deps.audit);
  const depart = createDeparture({ detours, upstream, publicOrigin, logger, clock, binding, events });
  const accounts = createUpstreamAccounts({ identities: deps.identities, users: deps.users });
  const logout = createUpstreamLogout({
    db, box, clock, detours, connections, upstream, publicOrigin, logoutReturns: createSignedValues(box.derive('upstream logout return'), clock),
  });
  const testLinks = testLinksOf(box, clock);
  const method = createOidcMethod({
    connections, upstream, detours, depart, accounts, logger, binding, events,
    moreFixedRoutes(routes) {
      registerTestRoutes(routes, { testLinks, connections, depart, detours, accounts, binding });
      logout.registerSignedOutRoute(routes);
    },
  });
  return { method, federatedSessions: logout.federatedSessions };
}
