import type { ConnectionTable, Db } from '../database.js';

export type ConnectionRow = ConnectionTable;

export function createConnectionQueries(db: Db) {
  return {
    find: (id: string): Promise<ConnectionRow | undefined> => db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst(),
    list: (): Promise<ConnectionRow[]> => db.selectFrom('connections').selectAll().orderBy('id').execute(),
    /** Up to `limit` connections in id order, after `after` when given: a page of them. */
    listAfter: (after: string | undefined, limit: number): Promise<ConnectionRow[]> => {
      const page = db.selectFrom('connections').selectAll().orderBy('id').limit(limit);
      return (after === undefined ? page : page.where('id', '>', after)).execute();
    },
    listEnabled: (): Promise<ConnectionRow[]> => db.selectFrom('connections').selectAll().where('enabled', '=', 1).orderBy('id').execute(),
    /** False when the id exists already (another instance may have inserted it a moment ago). */
    insertIfAbsent: async (row: ConnectionRow): Promise<boolean> => {
      const result = await db.insertInto('connections').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    /** Takes the row's write lock for the rest of the transaction (a write that changes nothing): PostgreSQL and SQLite alike. */
    lock: async (id: string): Promise<void> => {
      await db.updateTable('connections').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id).execute();
    },
    update: async (id: string, changes: Partial<Omit<ConnectionRow, 'id' | 'created_at'>>): Promise<void> => {
      await db.updateTable('connections').set(changes).where('id', '=', id).execute();
    },
    /** Its email domains go with it (foreign key, on delete cascade). */
    remove: async (id: string): Promise<boolean> => {
      const result = await db.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    /** The connection an email domain belongs to, if any. */
    findByEmailDomain: async (domain: string): Promise<ConnectionRow | undefined> =>
      db.selectFrom('connection_email_domains')
        .innerJoin('connections', 'connections.id', 'connection_email_domains.connection_id')
        .selectAll('connections')
        .where('connection_email_domains.domain', '=', domain)
        .executeTakeFirst(),
    /** Which connection holds each of these domains now. */
    domainOwners: async (domains: string[]): Promise<Array<{ domain: string; connection_id: string }>> =>
      domains.length === 0 ? [] : db.selectFrom('connection_email_domains').select(['domain', 'connection_id']).where('domain', 'in', domains).execute(),
    /**
     * Makes these the connection's domains. A domain another connection holds fails on the
     * primary key (a unique violation), also when that connection took it a moment ago.
     */
    replaceEmailDomains: async (id: string, domains: string[]): Promise<void> => {
      await db.deleteFrom('connection_email_domains').where('connection_id', '=', id).execute();
      if (domains.length > 0) await db.insertInto('connection_email_domains').values(domains.map((domain) => ({ domain, connection_id: id }))).execute();
    },
  };
}
