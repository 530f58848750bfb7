import type { CustomScope } from './scope-service.js';
import { isStandardScope, standardScopes } from './standard-scopes.js';

/** A scope as the consent page shows it. */
export interface DescribedScope {
  name: string;
  description: string;
}

/**
 * What the consent page says for each scope: a custom scope's own description, or the standard
 * one; an API resource's scope comes described already (with its API). The engine also counts an
 * API's scope among the OpenID Connect scopes it grants, so its bare name is left out where the
 * API's entry says more, unless it is a custom scope releasing claims of its own.
 */
export function describeScopes(scopes: Array<string | DescribedScope>, customScopes: CustomScope[]): DescribedScope[] {
  const custom = new Map(customScopes.map((scope) => [scope.name, scope.description]));
  const described = new Set(scopes.flatMap((scope) => (typeof scope === 'string' ? [] : [scope.name])));
  return scopes.flatMap((scope) => {
    if (typeof scope !== 'string') return [scope];
    if (described.has(scope) && !custom.has(scope) && !isStandardScope(scope)) return [];
    return [{ name: scope, description: custom.get(scope) ?? (isStandardScope(scope) ? standardScopes[scope].description : scope) }];
  });
}
