import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import * as init from './migrations/2026-11-26-0001-init.js';
import * as passwordHashImport from './migrations/2026-11-27-0001-password-hash-import.js';
import * as oidcModelsAccountId from './migrations/2026-11-27-0002-oidc-models-account-id.js';
import * as declaredOwner from './migrations/2026-12-01-0001-declared-owner.js';
import * as keysByKid from './migrations/2026-12-01-0002-keys-by-kid.js';
import * as engineState from './migrations/2026-12-01-0003-engine-state.js';
import * as connections from './migrations/2026-12-01-0004-connections.js';
import * as signInDetours from './migrations/2026-12-01-0005-sign-in-detours.js';
import * as oneIdentityPerIssuer from './migrations/2026-12-01-0006-one-identity-per-issuer.js';
import * as addressIdentities from './migrations/2026-12-01-0007-address-identities.js';
import * as jwtSso from './migrations/2026-12-06-0001-jwt-sso.js';
import * as oneNextKey from './migrations/2026-12-07-0001-one-next-key.js';
import * as auditEvents from './migrations/2026-12-07-0002-audit-events.js';
import * as applicationsVersion from './migrations/2026-12-07-0003-applications-version.js';
import * as apiResources from './migrations/2026-12-07-0004-api-resources.js';
import * as partialOidcIndexes from './migrations/2026-12-07-0005-partial-oidc-indexes.js';
import * as branding from './migrations/2026-12-07-0006-branding.js';
import * as mfa from './migrations/2026-12-08-0001-mfa.js';
import * as emailOutbox from './migrations/2026-12-08-0002-email-outbox.js';
import * as sessionDevices from './migrations/2026-12-09-0001-session-devices.js';
import * as accountTokens from './migrations/2026-12-09-0002-account-tokens.js';
import * as applicationBranding from './migrations/2026-12-09-0003-application-branding.js';
import type { Db } from './database.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';

/** Listed here rather than read from disk, so the build and the tests see the same set. */
const migrations: Record<string, Migration> = {
  '2026-11-26-0001-init': init,
  '2026-11-27-0001-password-hash-import': passwordHashImport,
  '2026-11-27-0002-oidc-models-account-id': oidcModelsAccountId,
  '2026-12-01-0001-declared-owner': declaredOwner,
  '2026-12-01-0002-keys-by-kid': keysByKid,
  '2026-12-01-0003-engine-state': engineState,
  '2026-12-01-0004-connections': connections,
  '2026-12-01-0005-sign-in-detours': signInDetours,
  '2026-12-01-0006-one-identity-per-issuer': oneIdentityPerIssuer,
  '2026-12-01-0007-address-identities': addressIdentities,
  '2026-12-06-0001-jwt-sso': jwtSso,
  '2026-12-07-0001-one-next-key': oneNextKey,
  '2026-12-07-0002-audit-events': auditEvents,
  '2026-12-07-0003-applications-version': applicationsVersion,
  '2026-12-07-0004-api-resources': apiResources,
  '2026-12-07-0005-partial-oidc-indexes': partialOidcIndexes,
  '2026-12-07-0006-branding': branding,
  '2026-12-08-0001-mfa': mfa,
  '2026-12-08-0002-email-outbox': emailOutbox,
  '2026-12-09-0001-session-devices': sessionDevices,
  '2026-12-09-0002-account-tokens': accountTokens,
  '2026-12-09-0003-application-branding': applicationBranding,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations and returns their names; Kysely's lock table keeps concurrent starts from racing. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    if (isGatehouseError(error)) throw error;
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new GatehouseError('storage_unavailable', `database migration ${failed} failed: ${(error as Error).message ?? error}`, {
      cause: error,
      expose: true,
    });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
