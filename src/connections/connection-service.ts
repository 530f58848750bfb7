import type { ChangeLog } from '../audit/change-log.js';
import { connectionView } from '../audit/record-views.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createConnectionQueries, type ConnectionRow } from '../db/queries/connections.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { upstreamUrlProblem } from '../outbound/address-policy.js';
import { assertMayChange, ownerFor, type Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { emailDomainsOf, type ConnectionDeclaration } from './connection-declaration.js';
import { oidcConnectionSettingsSchema, type OidcConnectionSettings } from './connection-schema.js';
import type { Connection, JwtConnection, OidcConnection } from './connection.js';
import { effectiveAlgorithms, jwtConnectionSettingsSchema, type JwtConnectionSettings } from './jwt-connection-schema.js';
import type { PartnerKeys } from './partner-keys.js';
import { testConnection, type ConnectionTestReport, type TestSignInUrl } from './test-connection.js';
import { testPartnerConnection } from './test-partner-connection.js';
import type { Upstreams } from './upstream.js';

export interface ConnectionServiceDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  upstreams: Upstreams;
  /** The partners' verification keys (public keys, key sets), for Test connection. */
  partnerKeys: PartnerKeys;
  /** Where the connections' callbacks are (GATEHOUSE_PUBLIC_URL), for Test connection's token request. */
  publicOrigin: string | undefined;
  testSignInUrl: TestSignInUrl | undefined;
  /** Where each command records its change, in its own transaction. */
  changes: ChangeLog;
}

export type ConnectionService = ReturnType<typeof createConnectionService>;

/** One type's connections, as a sign-in method reads them. */
export interface ConnectionsOfType<C extends Connection> {
  find(id: string): Promise<C | undefined>;
  /** The login page's buttons. */
  listEnabled(): Promise<C[]>;
  /** The connection whose `email_domains` has this domain, disabled ones included (the caller decides). */
  findByEmailDomain(domain: string): Promise<C | undefined>;
}

/** Bound to the connection and to what the secret is for, so that a sealed secret cannot serve another connection or type. */
const secretContext = (id: string, type: string) => (type === 'jwt' ? `connection_jwt_secret:${id}` : `connection_client_secret:${id}`);

/** The URLs Gatehouse itself fetches, under the outbound address rules. */
const urlFields = {
  oidc: ['discovery_url', 'issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint'],
  jwt: ['jwks_uri'],
} as const;

/** The secret a declaration carries: the upstream's client secret, or the partner's HMAC key (none with a public key). */
const secretOf = (declaration: ConnectionDeclaration): string | undefined => (declaration.type === 'oidc' ? declaration.client_secret : declaration.secret);

/** The columns a declaration is stored as; the settings document keeps the declaration's own names. */
function columnsOf(declaration: ConnectionDeclaration): { type: string; name: string; enabled: number; settings: string } {
  const { type, name, enabled } = declaration;
  const settings = declaration.type === 'oidc'
    ? (({ id: _id, name: _name, type: _type, enabled: _enabled, client_secret: _secret, ...rest }) => rest satisfies OidcConnectionSettings)(declaration)
    : (({ id: _id, name: _name, type: _type, enabled: _enabled, secret: _secret, ...rest }) => rest satisfies JwtConnectionSettings)(declaration);
  return { type, name, enabled: enabled ? 1 : 0, settings: JSON.stringify(settings) };
}

/** A stored row Gatehouse cannot read, named with what is wrong. */
function unreadable(row: ConnectionRow, what: string): GatehouseError {
  return new GatehouseError('internal_error', `connection "${row.id}" is stored in a form Gatehouse cannot read (${what})`, { expose: true });
}

function settingsOf<T>(row: ConnectionRow, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }): T {
  const parsed = schema.safeParse(JSON.parse(row.settings));
  if (!parsed.success) throw unreadable(row, `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/**
 * Upstream identity providers and partners users sign in through, changed only through these
 * commands; each names its actor. A secret is sealed bound to the connection's id and type.
 */
export function createConnectionService({ db, box, clock, upstreams, partnerKeys, publicOrigin, testSignInUrl, changes }: ConnectionServiceDeps) {
  const queries = createConnectionQueries(db);

  function openSecret(row: ConnectionRow): string | undefined {
    return row.secret_sealed === null ? undefined : box.open(row.secret_sealed, secretContext(row.id, row.type));
  }

  function toConnection(row: ConnectionRow): Connection {
    if (row.type === 'oidc') return toOidcConnection(row);
    if (row.type === 'jwt') return toJwtConnection(row);
    throw unreadable(row, `type "${row.type}"`);
  }

  function toOidcConnection(row: ConnectionRow): OidcConnection {
    const s = settingsOf(row, oidcConnectionSettingsSchema);
    const clientSecret = openSecret(row);
    if (clientSecret === undefined) throw unreadable(row, 'no client secret');
    return {
      id: row.id,
      type: 'oidc',
      name: row.name,
      enabled: row.enabled === 1,
      metadata: s.discovery_url !== undefined
        ? { discoveryUrl: s.discovery_url }
        : {
            endpoints: {
              issuer: s.issuer!,
              authorizationEndpoint: s.authorization_endpoint!,
              tokenEndpoint: s.token_endpoint!,
              userinfoEndpoint: s.userinfo_endpoint,
              jwksUri: s.jwks_uri!,
              endSessionEndpoint: s.end_session_endpoint,
            },
          },
      clientId: s.client_id,
      clientSecret,
      tokenEndpointAuthMethod: s.token_endpoint_auth_method,
      scopes: s.scopes,
      usernameClaim: s.username_claim,
      provisioning: s.provisioning,
      updateProfile: s.update_profile,
      groupsClaim: s.groups_claim,
      emailDomains: s.email_domains,
      forwardLoginHint: s.forward_login_hint,
      trustUpstreamMfa: s.trust_upstream_mfa,
    };
  }

  function toJwtConnection(row: ConnectionRow): JwtConnection {
    const s = settingsOf(row, jwtConnectionSettingsSchema);
    const secret = openSecret(row);
    const key = s.public_key !== undefined ? { publicKey: s.public_key } : s.jwks_uri !== undefined ? { jwksUri: s.jwks_uri } : secret !== undefined ? { secret } : undefined;
    if (!key) throw unreadable(row, 'no secret, public_key or jwks_uri');
    return {
      id: row.id,
      type: 'jwt',
      name: row.name,
      enabled: row.enabled === 1,
      signInUrl: s.sign_in_url,
      key,
      algorithms: effectiveAlgorithms(s),
      issuer: s.issuer,
      audience: s.audience,
      requireJti: s.require_jti,
      maxTokenAgeSeconds: s.max_token_age_seconds,
      clockSkewSeconds: s.clock_skew_seconds,
      provisioning: s.provisioning,
    };
  }

  /** The URL rules that depend on the environment (GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS), which the file's schema cannot know. */
  function assertUrlsAllowed(declaration: ConnectionDeclaration): void {
    for (const field of urlFields[declaration.type]) {
      const value = (declaration as Partial<Record<string, unknown>>)[field] as string | undefined;
      const problem = value === undefined ? undefined : upstreamUrlProblem(value, upstreams.allowPrivate);
      if (problem) throw new GatehouseError('invalid_request', `${field}: ${problem}`, { details: [{ path: field, message: problem }] });
    }
    // Only the browser goes to a partner's sign-in page, so any address will do; plain http would expose the state on the way.
    if (declaration.type === 'jwt' && new URL(declaration.sign_in_url).protocol === 'http:' && !upstreams.allowPrivate) {
      const problem = 'must use https (plain http only with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true, for a test setup)';
      throw new GatehouseError('invalid_request', `sign_in_url: ${problem}`, { details: [{ path: 'sign_in_url', message: problem }] });
    }
  }

  /** Gives the connection exactly its declared domains; a domain another connection has is a conflict naming both. */
  async function claimDomains(trx: Db, id: string, domains: string[]): Promise<void> {
    const connectionQueries = createConnectionQueries(trx);
    const taken = (await connectionQueries.domainOwners(domains)).find((owner) => owner.connection_id !== id);
    if (taken) throw new GatehouseError('conflict', `email domain "${taken.domain}" goes to connection "${taken.connection_id}" already`);
    try {
      await connectionQueries.replaceEmailDomains(id, domains);
    } catch (error) {
      // Another writer claimed one of them between the check and the write.
      if (isUniqueViolation(error)) throw new GatehouseError('conflict', `one of the email domains ${domains.map((d) => `"${d}"`).join(', ')} was just given to another connection`, { cause: error });
      throw error;
    }
  }

  async function existingRow(trx: Db, id: string): Promise<ConnectionRow> {
    const current = await createConnectionQueries(trx).find(id);
    if (!current) throw new GatehouseError('not_found', `no connection "${id}"`);
    return current;
  }

  /**
   * Creates a connection. An id taken already is a conflict, or, with `existing: 'keep'`,
   * leaves that connection as it is (another instance applying the same file created it first)
   * without reading it: a stored row Gatehouse cannot read is left for updateConnection to repair.
   */
  function createConnection(actor: Actor, declaration: ConnectionDeclaration, options?: { existing?: 'fail' }): Promise<{ created: true; connection: Connection }>;
  function createConnection(actor: Actor, declaration: ConnectionDeclaration, options: { existing: 'keep' }): Promise<{ created: true; connection: Connection } | { created: false }>;
  async function createConnection(
    actor: Actor, declaration: ConnectionDeclaration, { existing = 'fail' }: { existing?: 'fail' | 'keep' } = {},
  ): Promise<{ created: true; connection: Connection } | { created: false }> {
    assertUrlsAllowed(declaration);
    return inTransaction(db, async (trx) => {
      const now = clock.now();
      const secret = secretOf(declaration);
      const row: ConnectionRow = {
        id: declaration.id, ...columnsOf(declaration), secret_sealed: secret === undefined ? null : box.seal(secret, secretContext(declaration.id, declaration.type)),
        owner: ownerFor(actor), created_at: now, updated_at: now,
      };
      if (await createConnectionQueries(trx).insertIfAbsent(row)) {
        await claimDomains(trx, declaration.id, emailDomainsOf(declaration));
        await changes.record(trx, [{ type: 'connection.created', actor, subject: { connectionId: row.id }, after: connectionView(row) }]);
        return { created: true, connection: toConnection(row) };
      }
      if (existing === 'keep') return { created: false };
      throw new GatehouseError('conflict', `a connection "${declaration.id}" exists already`);
    });
  }

  /**
   * Replaces a connection's settings and secret; re-applying what is stored writes nothing. With
   * `keepStoredSecret` (the API's replacement without a secret) the secret is the one stored when
   * the row is locked, not one read before, which a change at the same moment may have replaced.
   */
  async function updateConnection(
    actor: Actor, declaration: ConnectionDeclaration, { keepStoredSecret = false }: { keepStoredSecret?: boolean } = {},
  ): Promise<{ changed: boolean; connection: Connection }> {
    assertUrlsAllowed(declaration);
    return inTransaction(db, async (trx) => {
      await createConnectionQueries(trx).lock(declaration.id);
      const current = await existingRow(trx, declaration.id);
      assertMayChange(actor, current.owner, `connection "${declaration.id}"`);
      const columns = columnsOf(declaration);
      const owner = actor.kind === 'config_file' ? 'config_file' : current.owner;
      // Opened on its own, not through the stored settings, so that a declaration can repair a row Gatehouse cannot read.
      const secret = keepStoredSecret && current.type === declaration.type ? openSecret(current) : secretOf(declaration);
      const sameSecret = current.type === declaration.type && openSecret(current) === secret;
      if (columns.type === current.type && columns.name === current.name && columns.enabled === current.enabled
        && columns.settings === current.settings && owner === current.owner && sameSecret) {
        return { changed: false, connection: toConnection(current) };
      }
      const changed = {
        ...columns, owner, updated_at: clock.now(),
        // Sealed again only when it changed: the stored value stays byte for byte otherwise.
        secret_sealed: sameSecret ? current.secret_sealed : secret === undefined ? null : box.seal(secret, secretContext(declaration.id, declaration.type)),
      };
      await createConnectionQueries(trx).update(declaration.id, changed);
      if (columns.settings !== current.settings) await claimDomains(trx, declaration.id, emailDomainsOf(declaration));
      await changes.record(trx, [{
        type: 'connection.updated', actor, subject: { connectionId: declaration.id },
        before: connectionView(current), after: connectionView({ ...current, ...changed }),
        // Whether, never what: a connection's secret is never in the audit log.
        details: sameSecret ? {} : { secret_changed: true },
      }]);
      return { changed: true, connection: toConnection({ ...current, ...changed }) };
    });
  }

  /**
   * Lets each declared connection go of the email domains its declaration no longer lists, before
   * any connection claims its own: applying the file then moves or swaps domains between
   * connections in any order. Inside the caller's transaction when there is one (the file's).
   */
  async function releaseUnlistedDomains(actor: Actor, declarations: ConnectionDeclaration[]): Promise<void> {
    await inTransaction(db, async (trx) => {
      const connectionQueries = createConnectionQueries(trx);
      for (const declaration of declarations) {
        const current = await connectionQueries.find(declaration.id);
        if (!current) continue;
        assertMayChange(actor, current.owner, `connection "${declaration.id}"`);
        const kept = (await connectionQueries.domainOwners(emailDomainsOf(declaration)))
          .filter((owner) => owner.connection_id === declaration.id).map((owner) => owner.domain);
        await connectionQueries.replaceEmailDomains(declaration.id, kept);
      }
    });
  }

  async function deleteConnection(actor: Actor, id: string): Promise<void> {
    await inTransaction(db, async (trx) => {
      const current = await existingRow(trx, id);
      assertMayChange(actor, current.owner, `connection "${id}"`);
      // Identities linked through it stay on their users: a connection to the same issuer finds them again.
      await createConnectionQueries(trx).remove(id);
      await changes.record(trx, [{ type: 'connection.deleted', actor, subject: { connectionId: id }, before: connectionView(current) }]);
    });
  }

  async function find(id: string): Promise<Connection | undefined> {
    const row = await queries.find(id);
    return row ? toConnection(row) : undefined;
  }

  /** The connections of one type, for the sign-in method that serves them: another type's are not found. */
  function ofType<T extends Connection['type']>(type: T): ConnectionsOfType<Extract<Connection, { type: T }>> {
    const typed = (connection: Connection | undefined) => (connection?.type === type ? (connection as Extract<Connection, { type: T }>) : undefined);
    return {
      find: async (id) => typed(await find(id)),
      listEnabled: async () => (await queries.listEnabled()).map(toConnection).filter((connection): connection is Extract<Connection, { type: T }> => connection.type === type),
      findByEmailDomain: async (domain) => typed(await findByEmailDomain(domain)),
    };
  }

  /** Home-realm discovery: the connection an email domain goes to, disabled ones included (the caller decides). */
  async function findByEmailDomain(domain: string): Promise<Connection | undefined> {
    const row = await queries.findByEmailDomain(domain.trim().toLowerCase().replace(/\.$/, ''));
    return row ? toConnection(row) : undefined;
  }

  return {
    list: async (): Promise<Connection[]> => (await queries.list()).map(toConnection),
    /** The login page's buttons. */
    listEnabled: async (): Promise<Connection[]> => (await queries.listEnabled()).map(toConnection),
    find,
    /** A connection as stored (its settings document, owner and times, the secret only sealed): the management API's view. */
    findRow: (id: string): Promise<ConnectionRow | undefined> => queries.find(id),
    /** A page of the stored connections in id order, after `after` when given. */
    listRowsAfter: (after: string | undefined, limit: number): Promise<ConnectionRow[]> => queries.listAfter(after, limit),
    /**
     * The secret stored for a connection of this type, if any: a replacement through the API
     * that leaves the secret out keeps it, since no answer ever shows it to send it back.
     */
    async storedSecret(id: string, type: Connection['type']): Promise<string | undefined> {
      const row = await queries.find(id);
      return row?.type === type ? openSecret(row) : undefined;
    },
    findByEmailDomain,
    ofType,
    createConnection,
    updateConnection,
    releaseUnlistedDomains,
    deleteConnection,
    /** Test connection (docs/cli.md): each check of the connection's setup, with a plain-language reason for each failure. */
    async testConnection(id: string): Promise<ConnectionTestReport> {
      const connection = await find(id);
      if (!connection) throw new GatehouseError('not_found', `no connection "${id}"`);
      if (connection.type === 'jwt') return testPartnerConnection(connection, partnerKeys);
      return testConnection(connection, { upstreams, publicOrigin, testSignInUrl });
    },
    /** The openid-client Configuration to sign in through (cached; see upstream.ts). */
    upstreamConfiguration: (connection: OidcConnection) => upstreams.configuration(connection),
  };
}
