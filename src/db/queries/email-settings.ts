import type { Db, EmailSettingsTable } from '../database.js';

export type EmailSettingsRow = Omit<EmailSettingsTable, 'id'>;

/** The one row the email migration created. */
const id = 1;

const columns = ['host', 'port', 'tls_mode', 'allow_insecure', 'auth_user', 'password_sealed', 'from_address', 'from_name', 'owner', 'updated_at'] as const;

export function createEmailSettingsQueries(db: Db) {
  return {
    find: (): Promise<EmailSettingsRow> => db.selectFrom('email_settings').select(columns).where('id', '=', id).executeTakeFirstOrThrow(),
    /** Takes the row's write lock for the rest of the transaction (a write that changes nothing): PostgreSQL and SQLite alike. */
    lock: async (): Promise<void> => {
      await db.updateTable('email_settings').set((eb) => ({ id: eb.ref('id') })).where('id', '=', id).execute();
    },
    /** Sets every column but the id. */
    update: async (changes: EmailSettingsRow): Promise<void> => {
      await db.updateTable('email_settings').set(changes).where('id', '=', id).execute();
    },
  };
}
