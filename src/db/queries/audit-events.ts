import type { AuditEventTable, Db } from '../database.js';

export type AuditEventRow = AuditEventTable;

/** What a list of events is narrowed to; every field is optional and they combine. */
export interface AuditEventFilter {
  /** Any of these types. */
  types?: readonly string[];
  userId?: string;
  /** The application (client_id). */
  clientId?: string;
  /** Epoch milliseconds, inclusive. */
  from?: number;
  /** Epoch milliseconds, exclusive. */
  to?: number;
}

/** Where a page ends: the last event shown. The next page starts after it. */
export interface AuditEventCursor {
  occurredAt: number;
  id: string;
}

export interface AuditEventPage {
  /** Newest first (the default) or oldest first. */
  order?: 'newest_first' | 'oldest_first';
  after?: AuditEventCursor;
  limit: number;
}

/**
 * Rows per insert: 1,000 rows of 12 columns are 12,000 parameters, well under SQLite's 32,766
 * and PostgreSQL's 65,535.
 */
const rowsPerInsert = 1000;

/** Rows per delete when pruning, so that a long backlog never holds SQLite's write lock for long. */
const rowsPerPrune = 5000;

/**
 * The audit log's table: appended to, listed by filter and cursor, pruned by age. Nothing
 * updates a row.
 */
export function createAuditEventQueries(db: Db) {
  return {
    /** One insert per 1,000 rows: the writer's batch is one statement. */
    append: async (rows: readonly AuditEventRow[]): Promise<void> => {
      for (let start = 0; start < rows.length; start += rowsPerInsert) {
        await db.insertInto('audit_events').values(rows.slice(start, start + rowsPerInsert)).execute();
      }
    },

    /**
     * A page of events in (occurred_at, id) order, after the cursor when one is given. The pair is
     * unique and never changes, so pages neither repeat nor skip an event that existed when the
     * first page was read, however many are inserted meanwhile.
     */
    list: (filter: AuditEventFilter, { order = 'newest_first', after, limit }: AuditEventPage): Promise<AuditEventRow[]> => {
      const direction = order === 'newest_first' ? 'desc' : 'asc';
      let query = db.selectFrom('audit_events').selectAll();
      if (filter.types !== undefined) query = query.where('type', 'in', filter.types.length > 0 ? [...filter.types] : ['']);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('occurred_at', '<', filter.to);
      if (after) {
        query = query.where((eb) => eb(eb.refTuple('occurred_at', 'id'), order === 'newest_first' ? '<' : '>', eb.tuple(after.occurredAt, after.id)));
      }
      return query.orderBy('occurred_at', direction).orderBy('id', direction).limit(limit).execute();
    },

    /**
     * Removes the events that happened before `cutoff`, a few thousand rows per statement, oldest
     * first; the number removed.
     */
    pruneBefore: async (cutoff: number): Promise<number> => {
      let removed = 0;
      for (;;) {
        const oldest = db.selectFrom('audit_events').select('id').where('occurred_at', '<', cutoff).orderBy('occurred_at').limit(rowsPerPrune);
        const result = await db.deleteFrom('audit_events').where('id', 'in', oldest).executeTakeFirst();
        const count = Number(result.numDeletedRows);
        removed += count;
        if (count < rowsPerPrune) return removed;
      }
    },
  };
}
