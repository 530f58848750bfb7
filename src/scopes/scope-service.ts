import type { ChangeLog } from '../audit/change-log.js';
import { scopeView } from '../audit/record-views.js';
import type { Db } from '../db/database.js';
import { createApplicationQueries } from '../db/queries/applications.js';
import { changingEngineState } from '../db/engine-change.js';
import { createScopeQueries, type ScopeRow } from '../db/queries/scopes.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { assertMayChange, ownerFor, type Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import type { ScopeDeclaration } from './scope-schema.js';

export interface CustomScope {
  name: string;
  description: string;
  claims: string[];
}

export type ScopeService = ReturnType<typeof createScopeService>;

const toScope = (row: ScopeRow): CustomScope => ({ name: row.name, description: row.description, claims: JSON.parse(row.claims) as string[] });

/** The applications whose `scope` or `id_token_claims_scopes` name the scope. */
async function applicationsNaming(db: Db, scope: string): Promise<string[]> {
  const named: string[] = [];
  for (const row of await createApplicationQueries(db).list()) {
    const metadata = JSON.parse(row.metadata) as { scope?: string; id_token_claims_scopes?: string[] };
    if (metadata.scope?.split(' ').includes(scope) || metadata.id_token_claims_scopes?.includes(scope)) named.push(row.client_id);
  }
  return named;
}

/**
 * Custom scopes, changed only through these commands. The engine is built from them, so every
 * change also bumps the engine state in the same transaction: each instance rebuilds its engine.
 */
export function createScopeService({ db, clock, changes }: { db: Db; clock: Clock; changes: ChangeLog }) {
  const scopes = createScopeQueries(db);

  const changing = <T>(work: (trx: Db) => Promise<{ result: T; changed: boolean }>): Promise<T> => changingEngineState(db, work);

  /** Creates a scope; with `existing: 'update'` an existing one is changed instead (the configuration file). */
  async function createScope(actor: Actor, declaration: ScopeDeclaration, { existing = 'fail' }: { existing?: 'fail' | 'update' } = {}): Promise<CustomScope> {
    return changing(async (trx) => {
      const queries = createScopeQueries(trx);
      const now = clock.now();
      const row: ScopeRow = {
        name: declaration.name, description: declaration.description, claims: JSON.stringify(declaration.claims),
        owner: ownerFor(actor), created_at: now, updated_at: now,
      };
      if (await queries.insertIfAbsent(row)) {
        await changes.record(trx, [{ type: 'scope.created', actor, after: scopeView(row), details: { name: row.name } }]);
        return { result: toScope(row), changed: true };
      }
      if (existing === 'fail') throw new GatehouseError('conflict', `a scope "${declaration.name}" exists already`);
      return updateIn(trx, actor, declaration);
    });
  }

  /** Re-applying the same declaration writes nothing, so that a restart does not make every instance rebuild its engine. */
  async function updateIn(trx: Db, actor: Actor, declaration: ScopeDeclaration): Promise<{ result: CustomScope; changed: boolean }> {
    const queries = createScopeQueries(trx);
    const current = await queries.find(declaration.name);
    if (!current) throw new GatehouseError('not_found', `no scope "${declaration.name}"`);
    assertMayChange(actor, current.owner, `scope "${declaration.name}"`);
    const changed = {
      description: declaration.description, claims: JSON.stringify(declaration.claims),
      owner: actor.kind === 'config_file' ? ('config_file' as const) : current.owner,
    };
    if (changed.description === current.description && changed.claims === current.claims && changed.owner === current.owner) {
      return { result: toScope(current), changed: false };
    }
    await queries.update(declaration.name, { ...changed, updated_at: clock.now() });
    await changes.record(trx, [{ type: 'scope.updated', actor, before: scopeView(current), after: scopeView({ ...current, ...changed }), details: { name: current.name } }]);
    return { result: toScope({ ...current, ...changed }), changed: true };
  }

  return {
    async list(): Promise<CustomScope[]> {
      return (await scopes.list()).map(toScope);
    },
    /** A scope as stored, with its owner and times: the management API's view. */
    find: (name: string): Promise<ScopeRow | undefined> => scopes.find(name),
    /** A page of the stored scopes in name order, after `after` when given. */
    listAfter: (after: string | undefined, limit: number): Promise<ScopeRow[]> => scopes.listAfter(after, limit),
    createScope,
    updateScope: (actor: Actor, declaration: ScopeDeclaration) => changing((trx) => updateIn(trx, actor, declaration)),
    deleteScope: (actor: Actor, name: string): Promise<void> =>
      changing(async (trx) => {
        const queries = createScopeQueries(trx);
        const current = await queries.find(name);
        if (!current) throw new GatehouseError('not_found', `no scope "${name}"`);
        assertMayChange(actor, current.owner, `scope "${name}"`);
        const users = await applicationsNaming(trx, name);
        if (users.length > 0) {
          // The engine would refuse those applications' requests, and the next start their declarations.
          throw new GatehouseError('conflict', `scope "${name}" is named by application${users.length > 1 ? 's' : ''} ${users.map((id) => `"${id}"`).join(', ')} (scope or id_token_claims_scopes); change ${users.length > 1 ? 'them' : 'it'} first`);
        }
        await queries.remove(name);
        await changes.record(trx, [{ type: 'scope.deleted', actor, before: scopeView(current), details: { name } }]);
        return { result: undefined, changed: true };
      }),
  };
}
