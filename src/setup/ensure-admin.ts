import { randomBytes } from 'node:crypto';
import { defaults } from '../config/defaults.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import type { UserService } from '../users/user-service.js';

export interface AdminReport {
  username: string;
  /** Present only when Gatehouse generated the password; it is shown once and never stored in clear. */
  generatedPassword: string | undefined;
}

/**
 * On a fresh installation (no users at all) creates the first administrator, with
 * GATEHOUSE_ADMIN_PASSWORD (checked against the password policy) or a generated password.
 */
export async function ensureFirstAdmin(users: UserService, configuredPassword: string | undefined): Promise<AdminReport | undefined> {
  if ((await users.count()) > 0) return undefined;
  const password = configuredPassword ?? randomBytes(18).toString('base64url');
  let created: boolean;
  try {
    ({ created } = await users.createUser(
      { kind: 'system', reason: 'first administrator' },
      { username: defaults.adminUsername, credential: { password }, groups: ['admin'] },
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
  return { username: defaults.adminUsername, generatedPassword: configuredPassword ? undefined : password };
}
