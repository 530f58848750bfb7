import type { ChangeLog } from '../audit/change-log.js';
import { mfaSettingsView } from '../audit/record-views.js';
import { defaults } from '../config/defaults.js';
import type { Db, Owner } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createMfaSettingsQueries, type MfaSettingsRow } from '../db/queries/mfa-settings.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import type { MfaDeclaration, MfaPolicy, MfaSettingsChange } from './mfa-settings-schema.js';

export interface MfaSettings {
  policy: MfaPolicy;
  /** As set; null: automatic (administratorsRequired says what it amounts to now). */
  requireForAdministrators: boolean | null;
  /** `config_file` while the configuration file declares `mfa:`: changed there only. */
  owner: Owner;
}

export type MfaSettingsService = ReturnType<typeof createMfaSettingsService>;

function settingsOf(row: MfaSettingsRow): MfaSettings {
  return {
    policy: row.policy as MfaPolicy,
    requireForAdministrators: row.require_for_administrators === null ? null : row.require_for_administrators === 1,
    owner: row.owner,
  };
}

const same = (a: MfaSettings, b: MfaSettings) => a.policy === b.policy && a.requireForAdministrators === b.requireForAdministrators && a.owner === b.owner;

/**
 * The global MFA policy: one record, read at every sign-in (no copy in memory, so that every
 * instance applies the same), changed through the API or declared by the configuration file.
 */
export function createMfaSettingsService({ db, clock, changes }: { db: Db; clock: Clock; changes: ChangeLog }) {
  const settings = createMfaSettingsQueries(db);

  /** Sets the row to `after` in the caller's transaction, recording `mfa.settings_changed` when anything changed. */
  async function change(actor: Actor, trx: Db, after: (before: MfaSettings) => MfaSettings, details?: Record<string, unknown>): Promise<MfaSettings> {
    const queries = createMfaSettingsQueries(trx);
    await queries.lock();
    const before = settingsOf(await queries.find());
    const next = after(before);
    if (same(before, next)) return before;
    const required = next.requireForAdministrators;
    await queries.update({ policy: next.policy, require_for_administrators: required === null ? null : required ? 1 : 0, owner: next.owner, updated_at: clock.now() });
    await changes.record(trx, [{ type: 'mfa.settings_changed', actor, before: mfaSettingsView(before), after: mfaSettingsView(next), ...(details ? { details } : {}) }]);
    return next;
  }

  return {
    get: async (): Promise<MfaSettings> => settingsOf(await settings.find()),

    /**
     * Whether administrators (enabled members of gatehouse-admins) must give a second factor
     * now: as set, or, set to automatic, once any of them has a confirmed app or a passkey,
     * so that the first administrator to set one up is not locked out before doing so.
     */
    async administratorsRequired(): Promise<boolean> {
      const { requireForAdministrators } = settingsOf(await settings.find());
      if (requireForAdministrators !== null) return requireForAdministrators;
      const group = defaults.administratorsGroup;
      // SQLite's LIKE ignores ASCII case: the parsed list decides.
      return (await settings.groupsOfEnabledWithFactor(group)).some((groups) => (JSON.parse(groups) as string[]).includes(group));
    },

    /**
     * Changes what the change names and keeps the rest, recorded as `mfa.settings_changed`
     * (nothing is written or recorded when nothing changes). Refused while the configuration
     * file declares `mfa:`, whose next start would undo it.
     */
    update: (actor: Actor, requested: MfaSettingsChange): Promise<MfaSettings> =>
      inTransaction(db, (trx) => change(actor, trx, (before) => {
        if (before.owner === 'config_file' && actor.kind !== 'config_file') {
          throw new GatehouseError('declared_in_config_file', 'The MFA settings are declared in the configuration file (mfa:); change them there.');
        }
        return {
          policy: requested.policy ?? before.policy,
          requireForAdministrators: requested.require_for_administrators === undefined ? before.requireForAdministrators : requested.require_for_administrators,
          owner: before.owner,
        };
      })),

    /**
     * Applies the configuration file's `mfa:` section: the file's values, owned by the file. A
     * file without the section hands settings it owned back to the database, values kept.
     */
    declare: (actor: Actor, declaration: MfaDeclaration | undefined): Promise<MfaSettings> =>
      inTransaction(db, (trx) => {
        if (declaration) {
          return change(actor, trx, () => ({ policy: declaration.policy, requireForAdministrators: declaration.require_for_administrators, owner: 'config_file' }));
        }
        return change(actor, trx, (before) => ({ ...before, owner: 'database' }), { released_by_file: true });
      }),
  };
}
