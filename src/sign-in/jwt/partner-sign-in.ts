import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log.js';
import type { JwtConnection } from '../../connections/connection.js';
import type { ConnectionsOfType } from '../../connections/connection-service.js';
import type { PartnerKeys } from '../../connections/partner-keys.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { createSignedValues } from '../../crypto/signed-values.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../runtime/clock.js';
import type { IdentityService } from '../../users/identity-service.js';
import type { UserService } from '../../users/user-service.js';
import { createBrowserBinding } from '../detour/browser-binding.js';
import { createDetours } from '../detour/detours.js';
import { createPlainSession } from '../plain-session.js';
import { createSignInEvents } from '../sign-in-events.js';
import type { SignInMethod } from '../sign-in-method.js';
import { createPartnerDeparture } from './depart-to-partner.js';
import { createPartnerAccounts } from './partner-accounts.js';
import { createPartnerMethod } from './partner-method.js';

export interface PartnerSignInDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  logger: Logger;
  /** The engine's issuer, for a plain session's authorization request. */
  issuer: string;
  /** GATEHOUSE_PUBLIC_URL's origin: the partners' callback URLs are there. */
  publicOrigin: string;
  /** The connections service: this method reads the `jwt` ones. */
  connections: { ofType(type: 'jwt'): ConnectionsOfType<JwtConnection> };
  keys: PartnerKeys;
  identities: IdentityService;
  users: UserService;
  /** Where partner sign-ins, and their refusals, are recorded. */
  audit: AuditLog;
}

/** Sign-in with partners' signed JWTs (connections of type `jwt`), assembled from the services it stands on. */
export function createPartnerSignIn(deps: PartnerSignInDeps): SignInMethod {
  const { db, box, clock, logger, publicOrigin } = deps;
  const detours = createDetours({ db, box, clock });
  const binding = createBrowserBinding(publicOrigin);
  return createPartnerMethod({
    partners: deps.connections.ofType('jwt'),
    detours,
    binding,
    keys: deps.keys,
    clock,
    logger,
    events: createSignInEvents(deps.audit),
    depart: createPartnerDeparture({ detours, binding, clock, publicOrigin }),
    accounts: createPartnerAccounts({ identities: deps.identities, users: deps.users }),
    users: deps.users,
    plainSession: createPlainSession({ issuer: deps.issuer, publicOrigin, returns: createSignedValues(box.derive('plain session return'), clock) }),
  });
}
