import { randomBytes } from 'node:crypto';
import type { ChangeLog } from '../audit/change-log.js';
import { applicationView } from '../audit/record-views.js';
import type { FetchedLogo, LogoFetcher } from '../branding/fetch-logo.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import type { Sessions } from '../oidc/sessions.js';
import { inTransaction } from '../db/in-transaction.js';
import { createApplicationBrandingQueries } from '../db/queries/application-branding.js';
import { createApplicationQueries, type ApplicationRow } from '../db/queries/applications.js';
import { createEngineStateQueries } from '../db/queries/engine-state.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { assertMayChange, ownerFor, type Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import type { ApplicationCache } from './application-cache.js';
import { needsSecret, type ApplicationDeclaration, type ApplicationMetadata } from './application-schema.js';

/** Client metadata as oidc-provider expects it, the secret in clear. */
export type ClientMetadata = ApplicationMetadata & { client_secret?: string };

/** Checks metadata the way the protocol engine will; throws a message naming the field. */
export type ClientValidator = (metadata: ClientMetadata) => Promise<void>;

export interface ApplicationServiceDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
  /** Where each command records its change, in its own transaction. */
  changes: ChangeLog;
  /** Ends what the engine holds for an application, on the same database handle (and transaction). */
  sessions: (db: Db) => Sessions;
  /** The metadata the protocol endpoints read, shared by the services over every handle of this process. */
  cache: ApplicationCache;
  /** Fetches the logo of an application's own branding, once, when its `branding.logo_uri` is set or changed. */
  fetchLogo: LogoFetcher;
}

export type ApplicationService = ReturnType<typeof createApplicationService>;

/** What a create or update did: a secret generated for the application is returned once, here. */
export interface ApplicationChange {
  created: boolean;
  generatedSecret: string | undefined;
}

const secretContext = (clientId: string) => `client_secret:${clientId}`;
const newSecret = () => randomBytes(32).toString('base64url');

/** Applications (OIDC clients), changed only through these commands; each names its actor. */
export function createApplicationService({ db, box, clock, changes, sessions, cache, fetchLogo }: ApplicationServiceDeps) {
  const applications = createApplicationQueries(db);

  /**
   * Every change to an application moves the `applications` counter in its transaction, which
   * tells every process to drop what it kept (application-cache.ts).
   */
  const signalChange = (trx: Db) => createEngineStateQueries(trx, 'applications').bump();

  /**
   * This process drops what it kept once a command's transaction is done, so that its own next
   * request reads the change (the old secret refused at once). Inside a larger transaction (the
   * configuration file) that comes before the commit; the periodic check then drops again what
   * a request may have read in between.
   */
  async function dropAfter<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } finally {
      cache.drop();
    }
  }

  /**
   * The application a command changes, refused when absent or not the actor's to change; read
   * under its row lock, so that a change made at the same moment (a rotated secret) is not undone.
   */
  async function forChange(queries: ReturnType<typeof createApplicationQueries>, actor: Actor, clientId: string): Promise<ApplicationRow> {
    await queries.lock(clientId);
    const current = await queries.find(clientId);
    if (!current) throw new GatehouseError('not_found', `no application "${clientId}"`);
    assertMayChange(actor, current.owner, `application "${clientId}"`);
    return current;
  }

  /**
   * What a change does to the application's logo: fetched when its `branding.logo_uri` is new
   * (before any transaction, so that no lock waits on another server; a failed fetch is a field
   * error and changes nothing), removed (null) when it has none any more, kept (undefined) when
   * the URL is the one the stored logo came from: the configuration file re-applied at each start
   * fetches nothing.
   */
  async function logoChange(metadata: ApplicationMetadata, storedSource: string | undefined): Promise<FetchedLogo | null | undefined> {
    const wanted = metadata.branding?.logo_uri;
    if (wanted === undefined) return storedSource === undefined ? undefined : null;
    return wanted === storedSource ? undefined : fetchLogo(wanted, 'body.branding.logo_uri');
  }

  async function applyLogo(trx: Db, clientId: string, logo: FetchedLogo | null | undefined): Promise<void> {
    const logos = createApplicationBrandingQueries(trx);
    if (logo === null) await logos.removeLogo(clientId);
    if (!logo) return;
    await logos.setLogo({
      client_id: clientId, logo: logo.bytes, logo_content_type: logo.contentType, logo_hash: logo.hash, logo_source_url: logo.sourceUrl, updated_at: clock.now(),
    });
  }

  function storedSecret(row: ApplicationRow | undefined): string | undefined {
    return row?.client_secret_sealed ? box.open(row.client_secret_sealed, secretContext(row.client_id)) : undefined;
  }

  /** What the protocol engine knows of an application, from memory when it can (application-cache.ts). */
  function findClientMetadata(clientId: string): Promise<ClientMetadata | undefined> {
    return cache.get(clientId, readClientMetadata);
  }

  async function readClientMetadata(clientId: string): Promise<ClientMetadata | undefined> {
    const row = await applications.find(clientId);
    if (!row) return undefined;
    const metadata = JSON.parse(row.metadata) as ApplicationMetadata;
    const secret = storedSecret(row);
    return secret ? { ...metadata, client_secret: secret } : metadata;
  }

  /**
   * The row an application's metadata leads to, checked by the engine's rules. A secret-using
   * application keeps the given secret, else the stored one, else gets a generated one.
   */
  async function prepare(metadata: ApplicationMetadata, secret: string | undefined, validate: ClientValidator) {
    let generatedSecret: string | undefined;
    if (needsSecret(metadata) && !secret) secret = generatedSecret = newSecret();
    if (!needsSecret(metadata)) secret = undefined;
    await validate(secret ? { ...metadata, client_secret: secret } : metadata);
    return {
      columns: { metadata: JSON.stringify(metadata), client_secret_sealed: secret ? box.seal(secret, secretContext(metadata.client_id)) : null },
      secret,
      generatedSecret,
    };
  }

  /**
   * Creates an application. A client_id taken already is a conflict, or, with `existing: 'keep'`,
   * leaves that application as it is (another instance applying the same file created it first:
   * its secret is the one that was reported, not ours).
   */
  async function createApplication(
    actor: Actor, declaration: ApplicationDeclaration, validate: ClientValidator, { existing = 'fail' }: { existing?: 'fail' | 'keep' } = {},
  ): Promise<ApplicationChange> {
    const { client_secret: declaredSecret, ...metadata } = declaration;
    const { columns, generatedSecret } = await prepare(metadata, declaredSecret, validate);
    const logo = await logoChange(metadata, undefined);
    const now = clock.now();
    const row: ApplicationRow = { client_id: metadata.client_id, ...columns, owner: ownerFor(actor), created_at: now, updated_at: now };
    const inserted = await dropAfter(inTransaction(db, async (trx) => {
      if (!(await createApplicationQueries(trx).insertIfAbsent(row))) return false;
      // An instance that had not yet heard of an earlier application's deletion may have stored a
      // grant or token for that client_id since: the new application inherits none.
      await sessions(trx).endAllOfClient(row.client_id);
      await applyLogo(trx, row.client_id, logo);
      await signalChange(trx);
      await changes.record(trx, [{ type: 'application.created', actor, subject: { clientId: row.client_id }, after: applicationView(row) }]);
      return true;
    }));
    if (inserted) return { created: true, generatedSecret };
    if (existing === 'keep') return { created: false, generatedSecret: undefined };
    throw new GatehouseError('conflict', `an application "${metadata.client_id}" exists already`);
  }

  /** Replaces an application's settings; without a secret given it keeps the stored one (or gets one, if it now needs one). */
  async function updateApplication(actor: Actor, declaration: ApplicationDeclaration, validate: ClientValidator): Promise<ApplicationChange> {
    const { client_secret: declaredSecret, ...metadata } = declaration;
    const logo = await logoChange(metadata, (await createApplicationBrandingQueries(db).logoOf(metadata.client_id))?.logo_source_url);
    return dropAfter(inTransaction(db, async (trx) => {
      const queries = createApplicationQueries(trx);
      const current = await forChange(queries, actor, metadata.client_id);
      const { columns, secret, generatedSecret } = await prepare(metadata, declaredSecret ?? storedSecret(current), validate);
      const owner = actor.kind === 'config_file' ? 'config_file' : current.owner;
      // Re-applying the file at a start is no edit: nothing is written when nothing differs.
      if (columns.metadata === current.metadata && owner === current.owner && secret === storedSecret(current) && logo === undefined) {
        return { created: false, generatedSecret: undefined };
      }
      const changed = { ...columns, owner, updated_at: clock.now() };
      await queries.update(metadata.client_id, changed);
      await applyLogo(trx, metadata.client_id, logo);
      await signalChange(trx);
      await changes.record(trx, [{
        type: 'application.updated', actor, subject: { clientId: metadata.client_id },
        before: applicationView(current), after: applicationView({ ...current, ...changed }),
        // Whether, never what: the secret itself is never in the audit log.
        details: secret !== storedSecret(current) ? { client_secret_changed: true } : {},
      }]);
      return { created: false, generatedSecret };
    }));
  }

  /** Gives a secret-using application a new generated secret, returned once; the old one stops working at once. */
  async function rotateClientSecret(actor: Actor, clientId: string): Promise<string> {
    return dropAfter(inTransaction(db, async (trx) => {
      const queries = createApplicationQueries(trx);
      const current = await forChange(queries, actor, clientId);
      if (!needsSecret(JSON.parse(current.metadata) as ApplicationMetadata)) {
        throw new GatehouseError('invalid_request', `application "${clientId}" authenticates without a client secret`);
      }
      const secret = newSecret();
      await queries.update(clientId, { client_secret_sealed: box.seal(secret, secretContext(clientId)), updated_at: clock.now() });
      await signalChange(trx);
      await changes.record(trx, [{ type: 'application.secret_rotated', actor, subject: { clientId } }]);
      return secret;
    }));
  }

  async function deleteApplication(actor: Actor, clientId: string): Promise<void> {
    await dropAfter(inTransaction(db, async (trx) => {
      const queries = createApplicationQueries(trx);
      const current = await forChange(queries, actor, clientId);
      // Its grants and tokens go with it: an application created later under the same client_id must not inherit them.
      await sessions(trx).endAllOfClient(clientId);
      await createApplicationBrandingQueries(trx).removeLogo(clientId);
      await queries.remove(clientId);
      await signalChange(trx);
      await changes.record(trx, [{ type: 'application.deleted', actor, subject: { clientId }, before: applicationView(current) }]);
    }));
  }

  /** Reads the counter and drops what this process kept if another one changed an application (gatehouse.ts: periodically, and at once on a PostgreSQL notice). */
  async function followChanges(): Promise<void> {
    cache.follow(await createEngineStateQueries(db, 'applications').version());
  }

  return { findClientMetadata, followChanges, find: applications.find, list: applications.list, listAfter: applications.listAfter, createApplication, updateApplication, rotateClientSecret, deleteApplication };
}
