import { randomBytes } from 'node:crypto';
import { defaults } from '../config/defaults.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { User } from '../users/user.js';
import type { UserService } from '../users/user-service.js';

/** What the start did about the administrator, for the banner. */
export type AdminReport =
  /** Created now; the password only when Gatehouse generated it: shown once and never stored in clear. */
  | { kind: 'created'; username: string; generatedPassword: string | undefined }
  /** The first administrator of an earlier version (in the group `admin`) joined the administrators' group. */
  | { kind: 'upgraded'; username: string }
  /** Nobody administers the installation, and the administrator's name is another user's: an operator must name one. */
  | { kind: 'missing'; username: string };

const actor: Actor = { kind: 'system', reason: 'first administrator' };

/**
 * Whether `admin` is the one an earlier version created at its first start: the database's, in
 * the group `admin` and no other, with a password, enabled, and the first user there ever was.
 * An `admin` that a connection, an import or a command made later is none of that, and is never
 * made an administrator by the start.
 */
async function isFirstRunAdministrator(users: Pick<UserService, 'firstCreatedId'>, user: User): Promise<boolean> {
  return user.owner === 'database' && user.groups.length === 1 && user.groups[0] === 'admin' && user.passwordHash !== undefined
    && !user.disabled && (await users.firstCreatedId()) === user.id;
}

/**
 * Makes sure the installation has an administrator: an enabled member of `gatehouse-admins`.
 * When it has none — a fresh database, or one whose configuration file declares only other users —
 * `admin` is created in that group, with GATEHOUSE_ADMIN_PASSWORD (checked against the password
 * policy) or a generated password. The `admin` an earlier version created at its first start
 * joins the group instead (keeping `admin`, which applications may read in the groups claim). An `admin` that is someone else's is never made an
 * administrator: the banner says to name one.
 */
export async function ensureAdministrator(users: UserService, configuredPassword: string | undefined): Promise<AdminReport | undefined> {
  const group = defaults.administratorsGroup;
  if ((await users.inGroup(group)).some((user) => !user.disabled)) return undefined;
  const username = defaults.adminUsername;
  const existing = await users.findByUsername(username);
  // Another instance starting at the same moment created it after the first read: it is the administrator, reported there.
  if (existing?.groups.includes(group) && !existing.disabled) return undefined;
  if (existing) {
    if (!(await isFirstRunAdministrator(users, existing))) return { kind: 'missing', username };
    await users.updateUser(actor, existing.id, { groups: [...existing.groups, group] });
    return { kind: 'upgraded', username };
  }
  const password = configuredPassword ?? randomBytes(18).toString('base64url');
  let created: boolean;
  try {
    ({ created } = await users.createUser(
      actor,
      { username, credential: { password }, groups: [group] },
      // Another instance starting at the same moment may have created it: its printed password must stay valid.
      { existing: 'keep' },
    ));
  } catch (error) {
    if (isGatehouseError(error) && configuredPassword !== undefined) {
      throw new GatehouseError(error.code, `GATEHOUSE_ADMIN_PASSWORD: ${error.message}`, { cause: error, expose: true });
    }
    throw error;
  }
  if (!created) return undefined;
  return { kind: 'created', username, generatedPassword: configuredPassword ? undefined : password };
}
