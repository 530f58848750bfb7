import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createConnectionQueries, type ConnectionRow } from '../db/queries/connections.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { upstreamUrlProblem } from '../outbound/address-policy.js';
import { assertMayChange, ownerFor, type Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { oidcConnectionSettingsSchema, type ConnectionDeclaration, type OidcConnectionSettings } from './connection-schema.js';
import type { OidcConnection } from './connection.js';
import { testConnection, type ConnectionTestReport, type TestSignInUrl } from './test-connection.js';
import type { Upstreams } from './upstream.js';

export interface ConnectionServiceDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  upstreams: Upstreams;
  /** Where the connections' callbacks are (GATEHOUSE_PUBLIC_URL), for Test connection's token request. */
  publicOrigin: string | undefined;
  testSignInUrl: TestSignInUrl | undefined;
}

export type ConnectionService = ReturnType<typeof createConnectionService>;

const secretContext = (id: string) => `connection_client_secret:${id}`;

const urlFields = ['discovery_url', 'issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint'] as const;

/** The columns a declaration is stored as; the settings document keeps the declaration's own names. */
function columnsOf(declaration: ConnectionDeclaration): { type: string; name: string; enabled: number; settings: string } {
  const { id: _id, name, type, enabled, client_secret: _secret, ...settings } = declaration;
  return { type, name, enabled: enabled ? 1 : 0, settings: JSON.stringify(settings satisfies OidcConnectionSettings) };
}

/**
 * Upstream identity providers users sign in through, changed only through these commands; each
 * names its actor. The client secret is sealed bound to the connection's id.
 */
export function createConnectionService({ db, box, clock, upstreams, publicOrigin, testSignInUrl }: ConnectionServiceDeps) {
  const queries = createConnectionQueries(db);

  function toConnection(row: ConnectionRow): OidcConnection {
    const parsed = oidcConnectionSettingsSchema.safeParse(JSON.parse(row.settings));
    if (row.type !== 'oidc' || !parsed.success || row.client_secret_sealed === null) {
      const where = !parsed.success ? `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}` : row.type !== 'oidc' ? `type "${row.type}"` : 'no client secret';
      throw new GatehouseError('internal_error', `connection "${row.id}" is stored in a form Gatehouse cannot read (${where})`, { expose: true });
    }
    const s = parsed.data;
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
      clientSecret: box.open(row.client_secret_sealed, secretContext(row.id)),
      tokenEndpointAuthMethod: s.token_endpoint_auth_method,
      scopes: s.scopes,
      usernameClaim: s.username_claim,
      provisioning: s.provisioning,
      updateProfile: s.update_profile,
      groupsClaim: s.groups_claim,
      emailDomains: s.email_domains,
      forwardLoginHint: s.forward_login_hint,
    };
  }

  /** The URL rules that depend on the environment (GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS), which the file's schema cannot know. */
  function assertUrlsAllowed(declaration: ConnectionDeclaration): void {
    for (const field of urlFields) {
      const value = declaration[field];
      const problem = value === undefined ? undefined : upstreamUrlProblem(value, upstreams.allowPrivate);
      if (problem) throw new GatehouseError('invalid_request', `${field}: ${problem}`, { details: [{ path: field, message: problem }] });
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
  function createConnection(actor: Actor, declaration: ConnectionDeclaration, options?: { existing?: 'fail' }): Promise<{ created: true; connection: OidcConnection }>;
  function createConnection(actor: Actor, declaration: ConnectionDeclaration, options: { existing: 'keep' }): Promise<{ created: true; connection: OidcConnection } | { created: false }>;
  async function createConnection(
    actor: Actor, declaration: ConnectionDeclaration, { existing = 'fail' }: { existing?: 'fail' | 'keep' } = {},
  ): Promise<{ created: true; connection: OidcConnection } | { created: false }> {
    assertUrlsAllowed(declaration);
    return inTransaction(db, async (trx) => {
      const now = clock.now();
      const row: ConnectionRow = {
        id: declaration.id, ...columnsOf(declaration), client_secret_sealed: box.seal(declaration.client_secret, secretContext(declaration.id)),
        owner: ownerFor(actor), created_at: now, updated_at: now,
      };
      if (await createConnectionQueries(trx).insertIfAbsent(row)) {
        await claimDomains(trx, declaration.id, declaration.email_domains);
        return { created: true, connection: toConnection(row) };
      }
      if (existing === 'keep') return { created: false };
      throw new GatehouseError('conflict', `a connection "${declaration.id}" exists already`);
    });
  }

  /** Replaces a connection's settings and secret; re-applying what is stored writes nothing. */
  async function updateConnection(actor: Actor, declaration: ConnectionDeclaration): Promise<{ changed: boolean; connection: OidcConnection }> {
    assertUrlsAllowed(declaration);
    return inTransaction(db, async (trx) => {
      const current = await existingRow(trx, declaration.id);
      assertMayChange(actor, current.owner, `connection "${declaration.id}"`);
      const columns = columnsOf(declaration);
      const owner = actor.kind === 'config_file' ? 'config_file' : current.owner;
      // Opened on its own, not through the stored settings, so that a declaration can repair a row Gatehouse cannot read.
      const sameSecret = current.client_secret_sealed !== null && box.open(current.client_secret_sealed, secretContext(current.id)) === declaration.client_secret;
      if (columns.type === current.type && columns.name === current.name && columns.enabled === current.enabled
        && columns.settings === current.settings && owner === current.owner && sameSecret) {
        return { changed: false, connection: toConnection(current) };
      }
      const changes = {
        ...columns, owner, updated_at: clock.now(),
        // Sealed again only when it changed: the stored value stays byte for byte otherwise.
        client_secret_sealed: sameSecret ? current.client_secret_sealed : box.seal(declaration.client_secret, secretContext(declaration.id)),
      };
      await createConnectionQueries(trx).update(declaration.id, changes);
      if (columns.settings !== current.settings) await claimDomains(trx, declaration.id, declaration.email_domains);
      return { changed: true, connection: toConnection({ ...current, ...changes }) };
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
        const kept = (await connectionQueries.domainOwners(declaration.email_domains))
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
    });
  }

  async function find(id: string): Promise<OidcConnection | undefined> {
    const row = await queries.find(id);
    return row ? toConnection(row) : undefined;
  }

  return {
    list: async (): Promise<OidcConnection[]> => (await queries.list()).map(toConnection),
    /** The login page's buttons. */
    listEnabled: async (): Promise<OidcConnection[]> => (await queries.listEnabled()).map(toConnection),
    find,
    /** Home-realm discovery: the connection an email domain goes to, disabled ones included (the caller decides). */
    async findByEmailDomain(domain: string): Promise<OidcConnection | undefined> {
      const row = await queries.findByEmailDomain(domain.trim().toLowerCase().replace(/\.$/, ''));
      return row ? toConnection(row) : undefined;
    },
    createConnection,
    updateConnection,
    releaseUnlistedDomains,
    deleteConnection,
    /** Test connection (docs/cli.md): each check of the connection's setup, with a plain-language reason for each failure. */
    async testConnection(id: string): Promise<ConnectionTestReport> {
      const connection = await find(id);
      if (!connection) throw new GatehouseError('not_found', `no connection "${id}"`);
      return testConnection(connection, { upstreams, publicOrigin, testSignInUrl });
    },
    /** The openid-client Configuration to sign in through (cached; see upstream.ts). */
    upstreamConfiguration: (connection: OidcConnection) => upstreams.configuration(connection),
  };
}
