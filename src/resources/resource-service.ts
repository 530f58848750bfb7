import type { ChangeLog } from '../audit/change-log.js';
import { resourceView } from '../audit/record-views.js';
import type { Db } from '../db/database.js';
import { createApiResourceQueries, type ApiResourceChanges, type ApiResourceRow } from '../db/queries/api-resources.js';
import { createApplicationQueries } from '../db/queries/applications.js';
import { changingEngineState } from '../db/engine-change.js';
import { createScopeQueries } from '../db/queries/scopes.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { assertMayChange, ownerFor, type Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { isStandardScope } from '../scopes/standard-scopes.js';
import type { ResourceDeclaration } from './resource-schema.js';

/** An API resource as the engine and the consent page use it: the declaration's fields. */
export type ApiResource = ResourceDeclaration;

export type ResourceService = ReturnType<typeof createResourceService>;

export const toResource = (row: ApiResourceRow): ApiResource => ({
  identifier: row.identifier,
  name: row.name,
  scopes: JSON.parse(row.scopes) as ApiResource['scopes'],
  access_token_format: row.access_token_format as ApiResource['access_token_format'],
  signing_alg: row.signing_alg as ApiResource['signing_alg'],
  access_token_ttl_seconds: Number(row.access_token_ttl_seconds),
});

function columnsOf(declaration: ResourceDeclaration): Omit<ApiResourceChanges, 'owner' | 'updated_at'> {
  return {
    name: declaration.name,
    scopes: JSON.stringify(declaration.scopes),
    access_token_format: declaration.access_token_format,
    signing_alg: declaration.signing_alg,
    access_token_ttl_seconds: declaration.access_token_ttl_seconds,
  };
}

/**
 * Scopes applications name in their `scope` that nothing would offer once `identifier` offers
 * only `remaining`: the engine refuses an application whose `scope` names an unknown scope, and
 * the next start would refuse its declaration, so such a change is refused first.
 */
async function orphanedScopes(db: Db, identifier: string, remaining: readonly string[]): Promise<Array<{ clientId: string; scope: string }>> {
  const offered = new Set(remaining);
  for (const scope of await createScopeQueries(db).list()) offered.add(scope.name);
  for (const other of await createApiResourceQueries(db).list()) {
    if (other.identifier !== identifier) for (const scope of toResource(other).scopes) offered.add(scope.name);
  }
  const orphaned: Array<{ clientId: string; scope: string }> = [];
  for (const row of await createApplicationQueries(db).list()) {
    const metadata = JSON.parse(row.metadata) as { scope?: string };
    for (const scope of metadata.scope?.split(' ') ?? []) {
      if (!isStandardScope(scope) && !offered.has(scope)) orphaned.push({ clientId: row.client_id, scope });
    }
  }
  return orphaned;
}

async function assertNoneOrphaned(db: Db, identifier: string, remaining: readonly string[]): Promise<void> {
  const orphaned = await orphanedScopes(db, identifier, remaining);
  if (orphaned.length === 0) return;
  const named = orphaned.map(({ clientId, scope }) => `"${scope}" (application "${clientId}")`).join(', ');
  throw new GatehouseError('conflict', `API resource "${identifier}" offers ${named}, which applications name in their scope; change them first`);
}

/**
 * API resources, changed only through these commands. The engine is built from them (which
 * `resource` values it accepts, their scopes, token format and lifetime), so every change also
 * bumps the engine state in the same transaction: each instance rebuilds its engine.
 */
export function createResourceService({ db, clock, changes }: { db: Db; clock: Clock; changes: ChangeLog }) {
  const resources = createApiResourceQueries(db);

  const changing = <T>(work: (trx: Db) => Promise<{ result: T; changed: boolean }>): Promise<T> => changingEngineState(db, work);

  /** Re-applying the same declaration writes nothing, so that a restart does not make every instance rebuild its engine. */
  async function updateIn(trx: Db, actor: Actor, declaration: ResourceDeclaration): Promise<{ result: ApiResource; changed: boolean }> {
    const queries = createApiResourceQueries(trx);
    // Read under the row's lock: a change made at the same moment is not undone, and SQLite takes its write lock before the read.
    await queries.lock(declaration.identifier);
    const current = await queries.find(declaration.identifier);
    if (!current) throw new GatehouseError('not_found', `no API resource "${declaration.identifier}"`);
    assertMayChange(actor, current.owner, `API resource "${declaration.identifier}"`);
    const next = { ...columnsOf(declaration), owner: actor.kind === 'config_file' ? ('config_file' as const) : current.owner };
    const same = (Object.keys(next) as Array<keyof typeof next>).every((key) => String(next[key]) === String(current[key]));
    if (same) return { result: toResource(current), changed: false };
    await assertNoneOrphaned(trx, declaration.identifier, declaration.scopes.map((scope) => scope.name));
    const updated: ApiResourceRow = { ...current, ...next, updated_at: clock.now() };
    await queries.update(declaration.identifier, { ...next, updated_at: updated.updated_at });
    await changes.record(trx, [{ type: 'resource.updated', actor, before: resourceView(current), after: resourceView(updated), details: { identifier: current.identifier } }]);
    return { result: toResource(updated), changed: true };
  }

  /** Creates a resource; with `existing: 'update'` an existing one is changed instead (the configuration file). */
  function createResource(actor: Actor, declaration: ResourceDeclaration, { existing = 'fail' }: { existing?: 'fail' | 'update' } = {}): Promise<ApiResource> {
    return changing(async (trx) => {
      const now = clock.now();
      const row: ApiResourceRow = { identifier: declaration.identifier, ...columnsOf(declaration), owner: ownerFor(actor), created_at: now, updated_at: now };
      if (await createApiResourceQueries(trx).insertIfAbsent(row)) {
        await changes.record(trx, [{ type: 'resource.created', actor, after: resourceView(row), details: { identifier: row.identifier } }]);
        return { result: toResource(row), changed: true };
      }
      if (existing === 'fail') throw new GatehouseError('conflict', `an API resource "${declaration.identifier}" exists already`);
      return updateIn(trx, actor, declaration);
    });
  }

  return {
    async list(): Promise<ApiResource[]> {
      return (await resources.list()).map(toResource);
    },
    /** A resource as stored, with its owner and times: the management API's view. */
    find: (identifier: string): Promise<ApiResourceRow | undefined> => resources.find(identifier),
    /** A page of the stored resources in identifier order, after `after` when given. */
    listAfter: (after: string | undefined, limit: number): Promise<ApiResourceRow[]> => resources.listAfter(after, limit),
    createResource,
    updateResource: (actor: Actor, declaration: ResourceDeclaration): Promise<ApiResource> => changing((trx) => updateIn(trx, actor, declaration)),
    deleteResource: (actor: Actor, identifier: string): Promise<void> =>
      changing(async (trx) => {
        const queries = createApiResourceQueries(trx);
        await queries.lock(identifier);
        const current = await queries.find(identifier);
        if (!current) throw new GatehouseError('not_found', `no API resource "${identifier}"`);
        assertMayChange(actor, current.owner, `API resource "${identifier}"`);
        await assertNoneOrphaned(trx, identifier, []);
        await queries.remove(identifier);
        await changes.record(trx, [{ type: 'resource.deleted', actor, before: resourceView(current), details: { identifier } }]);
        return { result: undefined, changed: true };
      }),
  };
}
