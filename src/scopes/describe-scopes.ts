import type { CustomScope } from './scope-service.js';

const standardDescriptions: Record<string, string> = {
  openid: 'Confirm who you are',
  profile: 'See your name and profile details',
  email: 'See your email address',
  phone: 'See your phone number',
  address: 'See your postal address',
  groups: 'See the groups you belong to',
  offline_access: 'Keep access while you are not using it (refresh tokens)',
};

/** What the consent page says for each scope: a custom scope's own description, or the standard one. */
export function describeScopes(names: string[], customScopes: CustomScope[]): Array<{ name: string; description: string }> {
  const custom = new Map(customScopes.map((scope) => [scope.name, scope.description]));
  return names.map((name) => ({ name, description: custom.get(name) ?? standardDescriptions[name] ?? name }));
}
