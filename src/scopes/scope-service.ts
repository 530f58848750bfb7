import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createEngineStateQueries } from '../db/queries/engine-state.js';
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

/**
 * Custom scopes, changed only through these commands. The engine is built from them, so every
 * change also bumps the engine state in the same transaction: each instance rebuilds its engine.
 */
export function createScopeService({ db, clock }: { db: Db; clock: Clock }) {
  const scopes = createScopeQueries(db);

  function changing<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return inTransaction(db, async (trx) => {
      const result = await work(trx);
      await createEngineStateQueries(trx).bump();
      return result;
    });
  }

  /** Creates a scope; with `existing: 'update'` an existing one is changed instead (the configuration file). */
  async function createScope(actor: Actor, declaration: ScopeDeclaration, { existing = 'fail' }: { existing?: 'fail' | 'update' } = {}): Promise<CustomScope> {
    return changing(async (trx) => {
      const queries = createScopeQueries(trx);
      const now = clock.now();
      const row: ScopeRow = {
        name: declaration.name, description: declaration.description, claims: JSON.stringify(declaration.claims),
        owner: ownerFor(actor), created_at: now, updated_at: now,
      };
      if (await queries.insertIfAbsent(row)) return toScope(row);
      if (existing === 'fail') throw new GatehouseError('conflict', `a scope "${declaration.name}" exists already`);
      return updateIn(trx, actor, declaration);
    });
  }

  async function updateIn(trx: Db, actor: Actor, declaration: ScopeDeclaration): Promise<CustomScope> {
    const queries = createScopeQueries(trx);
    const current = await queries.find(declaration.name);
    if (!current) throw new GatehouseError('not_found', `no scope "${declaration.name}"`);
    assertMayChange(actor, current.owner, `scope "${declaration.name}"`);
    const changes = {
      description: declaration.description, claims: JSON.stringify(declaration.claims),
      owner: actor.kind === 'config_file' ? ('config_file' as const) : current.owner, updated_at: clock.now(),
    };
    await queries.update(declaration.name, changes);
    return toScope({ ...current, ...changes });
  }

  return {
    async list(): Promise<CustomScope[]> {
      return (await scopes.list()).map(toScope);
    },
    createScope,
    updateScope: (actor: Actor, declaration: ScopeDeclaration) => changing((trx) => updateIn(trx, actor, declaration)),
    deleteScope: (actor: Actor, name: string): Promise<void> =>
      changing(async (trx) => {
        const queries = createScopeQueries(trx);
        const current = await queries.find(name);
        if (!current) throw new GatehouseError('not_found', `no scope "${name}"`);
        assertMayChange(actor, current.owner, `scope "${name}"`);
        await queries.remove(name);
      }),
  };
}
