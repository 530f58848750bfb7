import type { Db } from '../db/database.js';
import { createScopeQueries } from '../db/queries/scopes.js';
import type { Clock } from '../runtime/clock.js';
import type { ScopeDeclaration } from './scope-schema.js';

export interface CustomScope {
  name: string;
  description: string;
  claims: string[];
}

export function createScopeService({ db, clock }: { db: Db; clock: Clock }) {
  const scopes = createScopeQueries(db);
  return {
    async list(): Promise<CustomScope[]> {
      return (await scopes.list()).map((row) => ({ name: row.name, description: row.description, claims: JSON.parse(row.claims) as string[] }));
    },
    async upsertDeclared(declaration: ScopeDeclaration): Promise<void> {
      const now = clock.now();
      await scopes.upsert({
        name: declaration.name,
        description: declaration.description,
        claims: JSON.stringify(declaration.claims),
        created_at: now,
        updated_at: now,
      });
    },
  };
}
