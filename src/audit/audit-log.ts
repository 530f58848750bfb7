import type { Logger } from 'pino';
import { defaults } from '../config/defaults.js';
import type { Db } from '../db/database.js';
import { createAuditEventQueries, type AuditEventRow } from '../db/queries/audit-events.js';
import { isGatehouseError } from '../errors/gatehouse-error.js';
import type { Clock } from '../runtime/clock.js';
import type { IdGenerator } from '../runtime/ids.js';
import { outsideRequests } from '../runtime/request-id-scope.js';
import { auditRow, type AuditEvent } from './audit-event.js';

/**
 * The request path's way into the audit log: sign-ins, tokens, consent and logouts. Management
 * changes are not written here but in their command's own transaction (change-log.ts).
 */
export interface AuditLog {
  /** Queues the event with its time and id; never waits, never throws. */
  record(event: AuditEvent): void;
  /** Writes what is queued now, and resolves once it is written (or the write failed and it is kept). */
  flush(): Promise<void>;
  /** Writes what is left and stops taking events: the server's last step before its database closes. */
  close(): Promise<void>;
  /** Events waiting to be written now. */
  queued(): number;
}

/** Hears of each event taken and of those dropped, e.g. to count them for metrics; never fails a request. */
export interface AuditObserver {
  recorded(event: AuditEvent): void;
  dropped(count: number): void;
}

export interface AuditLogLimits {
  /** How long an event waits before it is written, at most. */
  flushMilliseconds: number;
  /** Events written by one insert; this many queued are written at once. */
  batchEvents: number;
  /** Events held while writes fail; beyond this the oldest are dropped. */
  maxQueuedEvents: number;
  /** How soon a failed write is tried again. */
  retryMilliseconds: number;
}

export interface AuditLogDeps {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  limits?: Partial<AuditLogLimits>;
  observer?: AuditObserver;
}

/** An audit log that keeps nothing, for an engine that only validates (cli/client-validator.ts) and for tests of other pieces. */
export const discardingAuditLog: AuditLog = { record() {}, flush: async () => {}, close: async () => {}, queued: () => 0 };

const isOutage = (error: unknown) => isGatehouseError(error) && error.code === 'storage_unavailable';

/**
 * Events wait in a bounded in-process queue and are written in batches, one insert for up to
 * `batchEvents`: a batch as soon as it is full, what is left once its oldest event has waited
 * `flushMilliseconds`. No request waits for the audit log, and a busy token endpoint costs one
 * insert per `batchEvents` tokens.
 *
 * A write that fails because the database cannot be reached keeps its events for the next try,
 * every `retryMilliseconds`. What is held is bounded: past `maxQueuedEvents` the oldest are
 * dropped, with one warning, and once writes work again an `audit.events_dropped` event records
 * how many and from when to when. The trade-off: the alternatives are to make requests wait
 * until their events are written, which turns a failure of the audit table into an outage of
 * sign-in and tokens, or to hold events without bound, which turns a long outage into a crash
 * out of memory that loses every event held. So the audit log is bounded, and says exactly
 * what it lost. The oldest go rather than the newest: the events kept are those of the moment
 * service came back, about sessions and tokens that are still live, which is what an operator
 * looks at first; and the gap is one stretch of time that the warning and the event both name.
 * A row the database refuses for itself (not an outage) is dropped alone, logged, so that it
 * cannot hold up the rest.
 */
export function createAuditLog(deps: AuditLogDeps): AuditLog {
  const { clock, ids, logger } = deps;
  const limits: AuditLogLimits = { ...defaults.audit, ...deps.limits };
  const queries = createAuditEventQueries(deps.db);
  /** Each row with when it was queued, on the monotonic clock (whatever time a test pins), which the interval counts from. */
  const queue: Array<{ row: AuditEventRow; queuedAt: number }> = [];
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Infinity;
  let writing: Promise<void> | undefined;
  let failing = false;
  let closed = false;
  let dropped: { count: number; first: number; last: number } | undefined;

  /** A full batch is written at once; a partial one once its oldest event has waited the interval. */
  const due = (now: number) => queue.length >= limits.batchEvents || now - queue[0]!.queuedAt >= limits.flushMilliseconds;

  function schedule(): void {
    if (closed || writing || queue.length === 0) return;
    const now = performance.now();
    const delay = failing ? limits.retryMilliseconds : due(now) ? 0 : queue[0]!.queuedAt + limits.flushMilliseconds - now;
    // A timer that fires sooner already covers this.
    if (timer && timerDue <= now + delay) return;
    if (timer) clearTimeout(timer);
    timerDue = now + delay;
    // A batch is many requests' events: its writes, and their log lines, belong to none of them.
    timer = outsideRequests(() => setTimeout(() => {
      timer = undefined;
      void write(false);
    }, delay));
    // Never what keeps a process alive: the server's close writes what is left.
    timer.unref();
  }

  function dropOldest(): void {
    const excess = queue.length - limits.maxQueuedEvents;
    if (excess <= 0) return;
    const gone = queue.splice(0, excess);
    // The earliest and latest times, not the first and last dropped: a failed batch put back in front is older than what overflowed before it.
    const times = gone.map((entry) => entry.row.occurred_at);
    if (!dropped) {
      dropped = { count: 0, first: Math.min(...times), last: Math.max(...times) };
      logger.warn({ maxQueuedEvents: limits.maxQueuedEvents }, 'audit events cannot be written and too many are waiting: the oldest are being dropped until writes work again');
    }
    dropped.count += gone.length;
    deps.observer?.dropped(gone.length);
    dropped.first = Math.min(dropped.first, ...times);
    dropped.last = Math.max(dropped.last, ...times);
  }

  /** Writes work (again): say so once, and record the gap the dropped events left. */
  function writesWork(): void {
    if (failing) logger.info('audit events are written again');
    failing = false;
    if (!dropped) return;
    const { count, first, last } = dropped;
    dropped = undefined;
    logger.warn({ dropped: count, from: new Date(first).toISOString(), to: new Date(last).toISOString() }, 'audit events were dropped while they could not be written');
    enqueue({ type: 'audit.events_dropped', actor: { kind: 'system', reason: 'audit log' }, reason: 'storage_unavailable', details: { count, first_occurred_at: first, last_occurred_at: last } });
  }

  function keep(batch: Array<{ row: AuditEventRow; queuedAt: number }>, error: unknown): void {
    queue.unshift(...batch);
    dropOldest();
    if (!failing) logger.warn({ err: error, waiting: queue.length }, 'audit events could not be written; they are kept and tried again');
    failing = true;
  }

  /** A batch the database refused for a reason of its own: each row alone, dropping only those it refuses. False when the database went away meanwhile. */
  async function appendEach(batch: Array<{ row: AuditEventRow; queuedAt: number }>): Promise<boolean> {
    let refused = 0;
    let firstError: unknown;
    for (const [index, entry] of batch.entries()) {
      try {
        await queries.append([entry.row]);
      } catch (error) {
        if (isOutage(error)) {
          keep(batch.slice(index), error);
          return false;
        }
        refused += 1;
        firstError ??= error;
      }
    }
    if (refused > 0) logger.error({ err: firstError, refused }, 'the database refused audit events, which were dropped');
    return true;
  }

  async function append(batch: Array<{ row: AuditEventRow; queuedAt: number }>): Promise<boolean> {
    try {
      await queries.append(batch.map((entry) => entry.row));
    } catch (error) {
      if (isOutage(error)) {
        keep(batch, error);
        return false;
      }
      if (!(await appendEach(batch))) return false;
    }
    writesWork();
    return true;
  }

  /** Writes the batches that are due (all of them for a flush) until none is or a write fails. */
  function write(all: boolean): Promise<void> {
    writing ??= (async () => {
      while (queue.length > 0 && (all || due(performance.now()))) {
        if (!(await append(queue.splice(0, limits.batchEvents)))) return;
      }
    })().finally(() => {
      writing = undefined;
      schedule();
    });
    return writing;
  }

  function enqueue(event: AuditEvent): void {
    queue.push({ row: auditRow(event, ids(), clock.now()), queuedAt: performance.now() });
    dropOldest();
    schedule();
  }

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (;;) {
      // Joins a write under way first, then writes what is left.
      await write(true);
      if (queue.length === 0 || failing) return;
    }
  }

  return {
    record(event) {
      if (closed) {
        logger.warn({ type: event.type }, 'an audit event came after the audit log closed and was not recorded');
        return;
      }
      try {
        enqueue(event);
        deps.observer?.recorded(event);
      } catch (error) {
        // A request must never fail because its audit event could not be taken.
        logger.error({ err: error, type: event.type }, 'an audit event could not be recorded');
      }
    },
    flush,
    queued: () => queue.length,
    async close() {
      closed = true;
      // One more try even after failures: the database may be back, and nothing is tried after this.
      failing = false;
      await flush();
      if (queue.length > 0) logger.error({ lost: queue.length }, 'audit events could not be written before stopping and are lost');
    },
  };
}
