import { defaults } from '../config/defaults.js';

/** Groups only an administrator gives and takes: a connection's claims neither grant nor remove them. */
const reserved: readonly string[] = [defaults.administratorsGroup];

/**
 * Whether a connection may match this user by name or address and link it: never an
 * administrator, whose account would otherwise go to whoever the upstream or partner calls by
 * that name. An administrator links a connection to their own account deliberately.
 */
export const mayBeMatchedByConnection = (user: { groups: readonly string[] }): boolean => !user.groups.some((group) => reserved.includes(group));

/**
 * The groups a connection's claims make a user's (an upstream's groups claim, a partner's
 * `groups`): the claimed ones, except the reserved groups, which stay as they were. An upstream
 * or partner that can name groups could otherwise make anyone Gatehouse's administrator.
 */
export function groupsFromConnection(current: readonly string[], claimed: readonly string[]): string[] {
  return [...claimed.filter((group) => !reserved.includes(group)), ...current.filter((group) => reserved.includes(group))];
}
