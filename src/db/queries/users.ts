import { sql, type RawBuilder } from 'kysely';
import type { Db, UserTable } from '../database.js';
import { containsText } from '../like-pattern.js';

export type UserRow = UserTable;

/** What a listing narrows users to: a text their normalized user name or email contains, a group they are in. */
export interface UserFilter {
  text?: string;
  group?: string;
}

/**
 * The groups' JSON text contains the group's JSON spelling, `"name"`, with `%`, `_` and `\` in it
 * matched as themselves (PostgreSQL's LIKE would take a JSON escape's `\` as its own). SQLite's
 * LIKE ignores ASCII case, so the caller confirms on the parsed list.
 */
function groupsMayHold(group: string): RawBuilder<boolean> {
  const escaped = JSON.stringify(group).replace(/[\\%_]/g, (char) => `\\${char}`);
  return sql<boolean>`${sql.ref('groups')} like ${`%${escaped}%`} escape '\\'`;
}

export function createUserQueries(db: Db) {
  return {
    findById: (id: string): Promise<UserRow | undefined> =>
      db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    findByUsername: (normalized: string): Promise<UserRow | undefined> =>
      db.selectFrom('users').selectAll().where('username_normalized', '=', normalized).executeTakeFirst(),
    findByEmail: (normalized: string): Promise<UserRow | undefined> =>
      db.selectFrom('users').selectAll().where('email', '=', normalized).executeTakeFirst(),
    /** Users whose groups may hold this one; the caller confirms on the parsed list. */
    inGroupCandidates: (group: string): Promise<UserRow[]> => db.selectFrom('users').selectAll().where(groupsMayHold(group)).execute(),
    /**
     * Up to `limit` users in order of their normalized user name, after `afterNormalized` when
     * given; with a filter, only candidates that may match it (the caller confirms the group).
     */
    listAfter: (afterNormalized: string | undefined, limit: number, { text, group }: UserFilter = {}): Promise<UserRow[]> => {
      let page = db.selectFrom('users').selectAll().orderBy('username_normalized').limit(limit);
      if (afterNormalized !== undefined) page = page.where('username_normalized', '>', afterNormalized);
      if (text !== undefined) page = page.where((eb) => eb.or([containsText('username_normalized', text), containsText('email', text)]));
      if (group !== undefined) page = page.where(groupsMayHold(group));
      return page.execute();
    },
    /** The id of the user created first, if any. */
    firstCreatedId: async (): Promise<string | undefined> =>
      (await db.selectFrom('users').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst())?.id,
    count: async (): Promise<number> =>
      Number((await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    /** False when another instance inserted the same user name first. */
    insertIfAbsent: async (row: UserRow): Promise<boolean> => {
      const result = await db.insertInto('users').values(row).onConflict((oc) => oc.column('username_normalized').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    /**
     * Of these normalized user names and emails, the ones some user has already: the names, and
     * each email with the user name it belongs to. For an import's batch, one query instead of two per user.
     */
    findTaken: async (usernames: string[], emails: string[]): Promise<{ usernames: Set<string>; emails: Map<string, string> }> => {
      const taken = { usernames: new Set<string>(), emails: new Map<string, string>() };
      if (usernames.length === 0 && emails.length === 0) return taken;
      const rows = await db
        .selectFrom('users')
        .select(['username', 'username_normalized', 'email'])
        .where((eb) => eb.or([
          ...(usernames.length > 0 ? [eb('username_normalized', 'in', usernames)] : []),
          ...(emails.length > 0 ? [eb('email', 'in', emails)] : []),
        ]))
        .execute();
      for (const row of rows) {
        taken.usernames.add(row.username_normalized);
        if (row.email !== null) taken.emails.set(row.email, row.username);
      }
      return taken;
    },
    /** One multi-row insert; a name or email taken meanwhile fails it whole (a unique violation). */
    insertMany: async (rows: UserRow[]): Promise<void> => {
      if (rows.length > 0) await db.insertInto('users').values(rows).execute();
    },
    /** Takes the row's write lock for the rest of the transaction (a write that changes nothing): PostgreSQL and SQLite alike. */
    lock: async (id: string): Promise<void> => {
      await db.updateTable('users').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id).execute();
    },
    update: async (id: string, changes: Partial<Omit<UserRow, 'id' | 'created_at'>>): Promise<void> => {
      await db.updateTable('users').set(changes).where('id', '=', id).execute();
    },
    remove: async (id: string): Promise<boolean> => {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    setPasswordHash: async (id: string, passwordHash: string, now: number): Promise<void> => {
      await db.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).execute();
    },
  };
}
