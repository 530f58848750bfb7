import type { CustomScope } from './scope-service.js';
import { isStandardScope, standardScopes } from './standard-scopes.js';

/** What the consent page says for each scope: a custom scope's own description, or the standard one. */
export function describeScopes(names: string[], customScopes: CustomScope[]): Array<{ name: string; description: string }> {
  const custom = new Map(customScopes.map((scope) => [scope.name, scope.description]));
  return names.map((name) => ({ name, description: custom.get(name) ?? (isStandardScope(name) ? standardScopes[name].description : name) }));
}
