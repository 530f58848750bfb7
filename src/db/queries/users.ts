import type { Db, UserTable } from '../database.js';

export type UserRow = UserTable;

export function createUserQueries(db: Db) {
  return {
    findById: (id: string): Promise<UserRow | undefined> =>
      db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
    findByUsername: (normalized: string): Promise<UserRow | undefined> =>
      db.selectFrom('users').selectAll().where('username_normalized', '=', normalized).executeTakeFirst(),
    findByEmail: (normalized: string): Promise<UserRow | undefined> =>
      db.selectFrom('users').selectAll().where('email', '=', normalized).executeTakeFirst(),
    count: async (): Promise<number> =>
      Number((await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    /** False when another instance inserted the same user name first. */
    insertIfAbsent: async (row: UserRow): Promise<boolean> => {
      const result = await db.insertInto('users').values(row).onConflict((oc) => oc.column('username_normalized').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
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
