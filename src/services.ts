import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createApplicationCache, type ApplicationCache } from './applications/application-cache.js';
import { createApplicationService, type ApplicationService } from './applications/application-service.js';
import { createChangeLog, type ManagementChange } from './audit/change-log.js';
import { createBrandingService, type BrandingService } from './branding/branding-service.js';
import { createLogoFetcher, type LogoFetcher } from './branding/fetch-logo.js';
import { defaults } from './config/defaults.js';
import type { SecuritySettings } from './config/security-settings.js';
import { createConnectionService, type ConnectionService } from './connections/connection-service.js';
import type { TestSignInUrl } from './connections/test-connection.js';
import { createPartnerKeys, type PartnerKeys } from './connections/partner-keys.js';
import { createUpstreams, type Upstreams } from './connections/upstream.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { Db } from './db/database.js';
import { inTransaction } from './db/in-transaction.js';
import { createEmailServices, type EmailServices } from './email/email-services.js';
import { createEngineStateQueries } from './db/queries/engine-state.js';
import { createOwnershipQueries, type DeclarableTable } from './db/queries/ownership.js';
import { createKeyService, type KeyService } from './keys/key-service.js';
import { createMfaServices, type MfaServices } from './mfa/mfa-services.js';
import { createOutbound } from './outbound/safe-fetch.js';
import type { EngineSource } from './oidc/engine-holder.js';
import { createSessions } from './oidc/sessions.js';
import { createSignInProtection, type SignInProtection } from './protection/sign-in-protection.js';
import type { Actor } from './runtime/actor.js';
import type { Clock } from './runtime/clock.js';
import type { IdGenerator } from './runtime/ids.js';
import { createResourceService, type ResourceService } from './resources/resource-service.js';
import { createScopeService, type ScopeService } from './scopes/scope-service.js';
import { passwordHasher, type PasswordHasher } from './users/password-hasher.js';
import { createIdentityService, type IdentityService } from './users/identity-service.js';
import { createSelfService, type SelfService } from './users/self-service.js';
import { createUserService, type UserService } from './users/user-service.js';

export interface ServiceDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  ids: IdGenerator;
  security: SecuritySettings;
  /** Argon2id (and imported bcrypt) unless a test counts verifications. */
  hasher?: PasswordHasher;
  /** How connections reach their upstream identity providers; without it, private addresses are refused. */
  connections?: ConnectionOptions;
}

export interface ConnectionOptions {
  /** GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: upstreams may be on private and loopback addresses, over plain http too. */
  allowPrivateUpstreams: boolean;
  /** GATEHOUSE_PUBLIC_URL's origin, where the connections' callbacks are; Test connection sends it as the redirect URI. */
  publicOrigin?: string;
  /** Starts Test connection's real sign-in round trip (the sign-in flow's); without it the report has no sign-in URL. */
  testSignInUrl?: TestSignInUrl;
}

export interface Services {
  deps: ServiceDeps;
  hasher: PasswordHasher;
  users: UserService;
  /** What people change on their own account (/account, a reset link), each change with its event. */
  selfService: SelfService;
  /** Users' identities at other issuers, linked or provisioned at sign-in. */
  identities: IdentityService;
  applications: ApplicationService;
  scopes: ScopeService;
  /** API resources (RFC 8707): the APIs applications get access tokens for, and those tokens' format. */
  resources: ResourceService;
  /** Upstream identity providers and partners users sign in through, and Test connection. */
  connections: ConnectionService;
  /** The partners' verification keys (public keys, cached key sets) that their signed JWTs are checked with. */
  partnerKeys: PartnerKeys;
  keys: KeyService;
  protection: SignInProtection;
  /** The sign-in pages' product name, colour and logo, which every page reads. */
  branding: BrandingService;
  /** Users' second factors (authenticator apps, passkeys, recovery codes) and the global MFA policy. */
  mfa: MfaServices;
  /** Email delivery: the SMTP settings, the outbox (`queue`) and its sender. */
  email: EmailServices;
  /** What the protocol engine is built from, and its version. */
  engineSource: EngineSource;
  /** Resolves when the database answers (for /readyz). */
  ping(): Promise<void>;
  /**
   * After the configuration file is applied: what it owned and no longer declares (user names
   * normalized, client_ids, scope names, connection ids, resource identifiers) becomes the database's, editable through the API.
   */
  releaseUndeclared(actor: Actor, declared: Record<DeclarableTable, string[]>): Promise<void>;
  /** Runs several commands as one change: all of them or none (the configuration file). */
  transaction<T>(work: (services: Services) => Promise<T>): Promise<T>;
  /** Closes what the services hold besides the database: the upstreams' kept-alive connections. */
  close(): Promise<void>;
}

/**
 * Every service of Gatehouse over one database handle: the server, the command line and the
 * configuration file all work through these, and nothing else writes their tables.
 */
export function createServices(deps: ServiceDeps): Services {
  const outbound = createOutbound({ allowPrivate: deps.connections?.allowPrivateUpstreams ?? false });
  return servicesOver(deps, {
    upstreams: createUpstreams({ outbound, clock: deps.clock, cacheSeconds: defaults.connections.metadataCacheSeconds }),
    partnerKeys: createPartnerKeys({ outbound }),
    applicationCache: createApplicationCache(defaults.applicationCacheSize),
    fetchLogo: createLogoFetcher(outbound),
    // Not from deps.ids, which a test may make predictable: two processes must never share a claimant.
    emailClaimant: randomUUID(),
  });
}

/** A record the configuration file stopped declaring, handed to the database: a change of its owner. */
function releasedChange(actor: Actor, table: DeclarableTable, key: string): ManagementChange {
  const change = { actor, before: { owner: 'config_file' }, after: { owner: 'database' }, details: { released_by_file: true } };
  switch (table) {
    case 'users':
      return { ...change, type: 'user.updated', subject: { userId: key } };
    case 'applications':
      return { ...change, type: 'application.updated', subject: { clientId: key } };
    case 'scopes':
      return { ...change, type: 'scope.updated', details: { name: key, released_by_file: true } };
    case 'connections':
      return { ...change, type: 'connection.updated', subject: { connectionId: key } };
    case 'api_resources':
      return { ...change, type: 'resource.updated', details: { identifier: key, released_by_file: true } };
  }
}

/** What reaches other servers, with its caches and kept-alive connections: shared by the services over every handle. */
interface OutsideWorld {
  upstreams: Upstreams;
  partnerKeys: PartnerKeys;
  applicationCache: ApplicationCache;
  /** A logo, fetched once when an administrator sets it, through the same guard as the upstreams. */
  fetchLogo: LogoFetcher;
  /** This process's name in the outbox's claims, the same over every handle. */
  emailClaimant: string;
}

/** The services over one handle; a transaction's share the outside world (caches, connections) with the services it came from. */
function servicesOver(deps: ServiceDeps, outside: OutsideWorld): Services {
  const { upstreams, partnerKeys } = outside;
  const { db, box, clock } = deps;
  const hasher = deps.hasher ?? passwordHasher;
  // Each command records its change in its own transaction: over a transaction's handle, in that one.
  const changes = createChangeLog({ clock, ids: deps.ids });
  const scopes = createScopeService({ db, clock, changes });
  const resources = createResourceService({ db, clock, changes });
  const keys = createKeyService({ db, box, clock, changes });
  const engineSource: EngineSource = {
    version: () => createEngineStateQueries(db).version(),
    async load() {
      const version = await createEngineStateQueries(db).version();
      return { version, customScopes: await scopes.list(), resources: await resources.list(), ...(await keys.engineKeys()) };
    },
  };
  const usersOver = (handle: Db) => createUserService({ db: handle, clock, ids: deps.ids, security: deps.security, hasher, sessions: createSessions, changes });
  const applications = createApplicationService({ db, box, clock, changes, sessions: createSessions, cache: outside.applicationCache, fetchLogo: outside.fetchLogo });
  return {
    deps,
    hasher,
    users: usersOver(db),
    selfService: createSelfService({ db, clock, security: deps.security, hasher, sessions: createSessions, changes }),
    identities: createIdentityService({ db, clock, users: usersOver, changes }),
    applications,
    scopes,
    resources,
    connections: createConnectionService({
      db, box, clock, upstreams, partnerKeys, publicOrigin: deps.connections?.publicOrigin, testSignInUrl: deps.connections?.testSignInUrl, changes,
    }),
    partnerKeys,
    keys,
    protection: createSignInProtection({ db, clock, settings: deps.security, changes }),
    branding: createBrandingService({ db, clock, changes, fetchLogo: outside.fetchLogo, applications }),
    mfa: createMfaServices({ db, box, clock, changes }),
    email: createEmailServices({ db, box, clock, ids: deps.ids, changes, claimant: outside.emailClaimant }),
    engineSource,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    releaseUndeclared: (actor, declared) =>
      inTransaction(db, async (trx) => {
        const ownership = createOwnershipQueries(trx);
        for (const [table, keys] of Object.entries(declared) as Array<[DeclarableTable, string[]]>) {
          const released = await ownership.releaseFromFile(table, keys, clock.now());
          await changes.record(trx, released.map((key) => releasedChange(actor, table, key)));
        }
      }),
    transaction(work) {
      return inTransaction(db, (trx) => work(servicesOver({ ...deps, db: trx }, outside)));
    },
    close: () => upstreams.close(),
  };
}
