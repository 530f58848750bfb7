import type { ClientValidator } from '../applications/application-service.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { Services } from '../services.js';
import { normalizeIdentifier } from '../users/normalize.js';
import type { UserChanges } from '../users/user-service.js';
import type { UserDeclaration } from '../users/user-schema.js';
import type { Declarations } from './config-file.js';

export interface ApplyReport {
  applications: number;
  users: number;
  scopes: number;
  resources: number;
  connections: number;
  /** Secrets generated for applications declared without one: shown once, never logged. */
  generatedSecrets: Array<{ clientId: string; secret: string }>;
}

export interface ApplyOptions {
  /** The file's path, named in every message and as the actor. */
  source: string;
  /** The engine's client validation, knowing the scopes applied so far in this transaction. */
  validatorFor(services: Services): Promise<ClientValidator>;
}

/**
 * Applies the configuration file as a sequence of the services' commands, all in one
 * transaction: a bad entry leaves the database exactly as it was. Applying the same file again
 * changes nothing.
 */
export async function applyDeclarations(services: Services, declarations: Declarations, options: ApplyOptions): Promise<ApplyReport> {
  const actor: Actor = { kind: 'config_file', file: options.source };
  const report: ApplyReport = { applications: 0, users: 0, scopes: 0, resources: 0, connections: 0, generatedSecrets: [] };
  await services.transaction(async (tx) => {
    for (const scope of declarations.scopes) {
      await tx.scopes.createScope(actor, scope, { existing: 'update' });
      report.scopes += 1;
    }
    // Before the applications, whose `scope` may name an API's scopes.
    for (const [index, resource] of declarations.resources.entries()) {
      await within(options.source, `resources[${index}] ("${resource.identifier}")`, () => tx.resources.createResource(actor, resource, { existing: 'update' }));
      report.resources += 1;
    }
    for (const [index, user] of declarations.users.entries()) {
      await within(options.source, `users[${index}] ("${user.username}")`, () => declareUser(tx, actor, user));
      report.users += 1;
    }
    // Building the engine to validate with costs start-up time: only a file with applications pays it.
    let validate: ClientValidator | undefined;
    for (const [index, application] of declarations.applications.entries()) {
      validate ??= await options.validatorFor(tx);
      const check = validate;
      const result = await within(options.source, `applications[${index}] ("${application.client_id}")`, async () => {
        const created = await tx.applications.createApplication(actor, application, check, { existing: 'keep' });
        return created.created ? created : tx.applications.updateApplication(actor, application, check);
      });
      if (result.generatedSecret) report.generatedSecrets.push({ clientId: application.client_id, secret: result.generatedSecret });
      report.applications += 1;
    }
    // Domains a connection no longer lists are released first, so that one moving to another connection is free whatever the order.
    await tx.connections.releaseUnlistedDomains(actor, declarations.connections);
    for (const [index, connection] of declarations.connections.entries()) {
      await within(options.source, `connections[${index}] ("${connection.id}")`, async () => {
        const { created } = await tx.connections.createConnection(actor, connection, { existing: 'keep' });
        if (!created) await tx.connections.updateConnection(actor, connection);
      });
      report.connections += 1;
    }
    // The file's `mfa:` owns the policy; a file without it hands back a policy it owned.
    await within(options.source, 'mfa', () => tx.mfa.settings.declare(actor, declarations.mfa));
    // The same for `email:` and the SMTP settings.
    await within(options.source, 'email', () => tx.email.settings.declare(actor, declarations.email));
    await tx.releaseUndeclared(actor, {
      users: declarations.users.map((user) => normalizeIdentifier(user.username)),
      applications: declarations.applications.map((application) => application.client_id),
      scopes: declarations.scopes.map((scope) => scope.name),
      api_resources: declarations.resources.map((resource) => resource.identifier),
      connections: declarations.connections.map((connection) => connection.id),
    });
  });
  return report;
}

/** A user as declared: created when new (or just created by another instance), else changed to match. */
async function declareUser(services: Services, actor: Actor, declaration: UserDeclaration): Promise<void> {
  const { username, email, password, password_hash: importedHash, groups, attributes, disabled, ...profile } = declaration;
  const fields: UserChanges = { username, email, profile, groups, attributes, disabled };
  if (importedHash !== undefined) fields.credential = { importedHash };
  else if (password !== undefined) fields.credential = { password };
  const existing = await services.users.findByUsername(username);
  if (!existing) {
    const { created, user } = await services.users.createUser(actor, { ...fields, username }, { existing: 'keep' });
    if (created) return;
    await services.users.updateUser(actor, user.id, fields);
    return;
  }
  await services.users.updateUser(actor, existing.id, fields);
}

async function within<T>(source: string, entry: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    // An outage is not the entry's fault: it keeps its own code.
    if (isGatehouseError(error) && error.code !== 'storage_unavailable') throw new GatehouseError('config_invalid', `${source}: ${entry}: ${error.message}`, { cause: error, expose: true });
    throw error;
  }
}
