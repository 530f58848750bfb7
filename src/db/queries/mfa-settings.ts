import { sql, type RawBuilder } from 'kysely';
import type { Db, MfaSettingsTable } from '../database.js';

export type MfaSettingsRow = Omit<MfaSettingsTable, 'id'>;

/** What a change sets: the columns it changes, and when. */
export type MfaSettingsChanges = Partial<Omit<MfaSettingsTable, 'id' | 'updated_at'>> & Pick<MfaSettingsTable, 'updated_at'>;

/** The one row the MFA migration created. */
const id = 1;

/** As users.ts matches a group: the groups' JSON text contains the name's JSON spelling, LIKE's own characters escaped. */
function groupsMayHold(group: string): RawBuilder<boolean> {
  const escaped = JSON.stringify(group).replace(/[\\%_]/g, (char) => `\\${char}`);
  return sql<boolean>`${sql.ref('users.groups')} like ${`%${escaped}%`} escape '\\'`;
}

export function createMfaSettingsQueries(db: Db) {
  return {
    find: (): Promise<MfaSettingsRow> =>
      db.selectFrom('mfa_settings').select(['policy', 'require_for_administrators', 'owner', 'updated_at']).where('id', '=', id).executeTakeFirstOrThrow(),
    /** Takes the row's write lock for the rest of the transaction (a write that changes nothing): PostgreSQL and SQLite alike. */
    lock: async (): Promise<void> => {
      await db.updateTable('mfa_settings').set((eb) => ({ id: eb.ref('id') })).where('id', '=', id).execute();
    },
    update: async (changes: MfaSettingsChanges): Promise<void> => {
      await db.updateTable('mfa_settings').set(changes).where('id', '=', id).execute();
    },
    /**
     * The groups (JSON) of enabled users who may be in `group` and have a confirmed app or a
     * passkey; the caller confirms the group on the parsed list. Read from the factors' side,
     * since few users have one, rather than scanning every user's groups.
     */
    groupsOfEnabledWithFactor: async (group: string): Promise<string[]> => {
      const withApp = db.selectFrom('totp_factors').innerJoin('users', 'users.id', 'totp_factors.user_id')
        .select('users.groups').where('totp_factors.confirmed_at', 'is not', null).where('users.disabled', '=', 0).where(groupsMayHold(group));
      const withPasskey = db.selectFrom('passkeys').innerJoin('users', 'users.id', 'passkeys.user_id')
        .select('users.groups').where('users.disabled', '=', 0).where(groupsMayHold(group));
      return (await withApp.union(withPasskey).execute()).map((row) => row.groups);
    },
  };
}
