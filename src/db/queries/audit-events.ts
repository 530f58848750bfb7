import { setImmediate as nextTurn } from 'node:timers/promises';
import { defaults } from '../../config/defaults.js';
import type { AuditEventTable, Db } from '../database.js';

export type AuditEventRow = AuditEventTable;

/** What a list of events is narrowed to; every field is optional and they combine. */
export interface AuditEventFilter {
  /** Any of these types. */
  types?: readonly string[];
  userId?: string;
  /** The application (client_id). */
  clientId?: string;
  connectionId?: string;
  outcome?: 'success' | 'failure';
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

/** How pruning is cut up: rows per delete, and rows per call at the most. */
export interface PruneLimits {
  rowsPerPrune: number;
  maxRows: number;
}

/**
 * The audit log's table: appended to, listed by filter and cursor, pruned by age. Nothing
 * updates a row.
 */
export function createAuditEventQueries(db: Db) {
  return {
    /** One insert per 1,000 rows: the writer's batch is one statement. */
    append: async (rows: readonly AuditEventRow[]): Promise<void> => {
      const { rowsPerInsert } = defaults.audit;
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
      if (filter.connectionId !== undefined) query = query.where('connection_id', '=', filter.connectionId);
      if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
      if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('occurred_at', '<', filter.to);
      if (after) {
        query = query.where((eb) => eb(eb.refTuple('occurred_at', 'id'), order === 'newest_first' ? '<' : '>', eb.tuple(after.occurredAt, after.id)));
      }
      return query.orderBy('occurred_at', direction).orderBy('id', direction).limit(limit).execute();
    },

    /**
     * Removes the events that happened before `cutoff`, a few thousand rows per statement, oldest
     * first, and at most `maxRows` in all (the next sweep goes on from there); the number removed.
     * Between statements the event loop turns, so that requests waiting on it (better-sqlite3
     * blocks it while a statement runs) are served in between rather than after the whole backlog.
     */
    pruneBefore: async (cutoff: number, limits: Partial<PruneLimits> = {}): Promise<number> => {
      const { rowsPerPrune = defaults.audit.rowsPerPrune, maxRows = defaults.audit.maxPrunedPerSweep } = limits;
      let removed = 0;
      while (removed < maxRows) {
        const chunk = Math.min(rowsPerPrune, maxRows - removed);
        const oldest = db.selectFrom('audit_events').select('id').where('occurred_at', '<', cutoff).orderBy('occurred_at').limit(chunk);
        const result = await db.deleteFrom('audit_events').where('id', 'in', oldest).executeTakeFirst();
        const count = Number(result.numDeletedRows);
        removed += count;
        if (count < chunk) break;
        await nextTurn();
      }
      return removed;
    },
  };
}
