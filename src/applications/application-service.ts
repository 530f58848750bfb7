import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { createApplicationQueries } from '../db/queries/applications.js';
import type { Clock } from '../runtime/clock.js';
import { needsSecret, type ApplicationDeclaration, type ApplicationMetadata } from './application-schema.js';

/** Client metadata as oidc-provider expects it, the secret in clear. */
export type ClientMetadata = ApplicationMetadata & { client_secret?: string };

/** Checks metadata the way the protocol engine will; throws a message naming the field. */
export type ClientValidator = (metadata: ClientMetadata) => Promise<void>;

export interface ApplicationServiceDeps {
  db: Db;
  box: SecretBox;
  clock: Clock;
}

export type ApplicationService = ReturnType<typeof createApplicationService>;

const secretContext = (clientId: string) => `client_secret:${clientId}`;

export function createApplicationService({ db, box, clock }: ApplicationServiceDeps) {
  const applications = createApplicationQueries(db);

  async function findClientMetadata(clientId: string): Promise<ClientMetadata | undefined> {
    const row = await applications.find(clientId);
    if (!row) return undefined;
    const metadata = JSON.parse(row.metadata) as ApplicationMetadata;
    return row.client_secret_sealed
      ? { ...metadata, client_secret: box.open(row.client_secret_sealed, secretContext(clientId)) }
      : metadata;
  }

  /**
   * Creates or updates an application from its declaration. A secret-using application keeps
   * its stored secret when none is declared, or gets a generated one, returned once here.
   */
  async function upsertDeclared(
    declaration: ApplicationDeclaration,
    validate: ClientValidator,
  ): Promise<{ created: boolean; generatedSecret: string | undefined }> {
    const { client_secret: declaredSecret, ...metadata } = declaration;
    const existing = await applications.find(metadata.client_id);
    let secret: string | undefined;
    let generatedSecret: string | undefined;
    if (needsSecret(metadata)) {
      secret = declaredSecret
        ?? (existing?.client_secret_sealed ? box.open(existing.client_secret_sealed, secretContext(metadata.client_id)) : undefined);
      if (!secret) {
        secret = randomBytes(32).toString('base64url');
        generatedSecret = secret;
      }
    }
    await validate(secret ? { ...metadata, client_secret: secret } : metadata);
    const now = clock.now();
    const row = {
      client_id: metadata.client_id,
      metadata: JSON.stringify(metadata),
      client_secret_sealed: secret ? box.seal(secret, secretContext(metadata.client_id)) : null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    if (!existing) {
      if (await applications.insertIfAbsent(row)) return { created: true, generatedSecret };
      // Another instance applying the same file created it first: keep its secret, not ours.
      return upsertDeclared(declaration, validate);
    }
    await applications.upsert(row);
    return { created: false, generatedSecret };
  }

  return { findClientMetadata, upsertDeclared, list: applications.list };
}
