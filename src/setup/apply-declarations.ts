import { createApplicationService, type ClientValidator } from '../applications/application-service.js';
import type { Declarations } from './config-file.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import type { Clock } from '../runtime/clock.js';
import type { IdGenerator } from '../runtime/ids.js';
import { createScopeService } from '../scopes/scope-service.js';
import { createUserService } from '../users/user-service.js';

export interface ApplyReport {
  applications: number;
  users: number;
  scopes: number;
  /** Secrets generated for applications declared without one: shown once, never logged. */
  generatedSecrets: Array<{ clientId: string; secret: string }>;
}

/**
 * Applies the configuration file as idempotent upserts, all in one transaction: a bad entry
 * leaves the database exactly as it was.
 */
export async function applyDeclarations(
  db: Db,
  declarations: Declarations,
  deps: { box: SecretBox; clock: Clock; ids: IdGenerator; validateClient: ClientValidator; source: string },
): Promise<ApplyReport> {
  const report: ApplyReport = { applications: 0, users: 0, scopes: 0, generatedSecrets: [] };
  await db.transaction().execute(async (trx) => {
    const scopes = createScopeService({ db: trx, clock: deps.clock });
    const users = createUserService({ db: trx, clock: deps.clock, ids: deps.ids, security: declarations.security });
    const applications = createApplicationService({ db: trx, box: deps.box, clock: deps.clock });
    for (const scope of declarations.scopes) {
      await scopes.upsertDeclared(scope);
      report.scopes += 1;
    }
    for (const [index, user] of declarations.users.entries()) {
      await within(deps.source, `users[${index}] ("${user.username}")`, () => users.upsertDeclared(user));
      report.users += 1;
    }
    for (const [index, application] of declarations.applications.entries()) {
      const result = await within(deps.source, `applications[${index}] ("${application.client_id}")`, () =>
        applications.upsertDeclared(application, deps.validateClient),
      );
      if (result.generatedSecret) report.generatedSecrets.push({ clientId: application.client_id, secret: result.generatedSecret });
      report.applications += 1;
    }
  });
  return report;
}

async function within<T>(source: string, entry: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isGatehouseError(error)) throw new GatehouseError('config_invalid', `${source}: ${entry}: ${error.message}`, { cause: error, expose: true });
    throw error;
  }
}
