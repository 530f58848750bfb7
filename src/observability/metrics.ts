import cluster from 'node:cluster';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditEvent } from '../audit/audit-event.js';
import type { AuditObserver } from '../audit/audit-log.js';
import { defaults } from '../config/defaults.js';

/** What a connection pool reports of itself (pg.Pool's counts). */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface MetricsSources {
  /** Events waiting in the audit log's queue now. */
  auditQueued: () => number;
  /** The PostgreSQL pool; absent for SQLite, one connection that is never waited for. */
  pool?: () => PoolStats;
}

export interface Metrics {
  /** Prometheus's text format of everything below, and the process's own metrics. */
  registry: Registry;
  /** One answered request: its route pattern (never the URL), method, status and seconds taken. */
  requestAnswered(route: string, method: string, status: number, seconds: number): void;
  /** Counts sign-ins and tokens from the events the audit log records, and the events it dropped. */
  auditObserver: AuditObserver;
  /** The protocol engine was built from stored state (at start, and each time scopes or keys changed). */
  engineBuilt(): void;
}

/** A label taken from an event's details: only a short string, so that no event can create unbounded series. */
function labelOf(value: unknown): string {
  return typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : 'unknown';
}

/**
 * The metrics of one Gatehouse, on a registry of its own rather than prom-client's global one:
 * two servers in one process (tests, a restart) each count their own. Sign-ins and tokens are
 * counted where every one of them passes, the audit log, so no sign-in method or grant is
 * missed or counted twice. Counters live in this process: each instance is scraped on its own,
 * as Prometheus expects, and sums are taken at query time; an instance's workers are summed
 * before the scrape is answered (instance-metrics.ts).
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  // A worker's process metrics (memory, CPU, event loop) stay its own when the supervisor sums the workers' (cluster/gather-metrics.ts): the label, its process id, keeps them apart.
  collectDefaultMetrics({ register: registry, ...(cluster.isWorker ? { labels: { worker: String(process.pid) } } : {}) });
  const requests = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Requests answered, by route pattern, method and status, and the seconds each took (its _count is the number of requests).',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [...defaults.observability.latencyBucketsSeconds],
    registers: [registry],
  });
  const signIns = new Counter({
    name: 'gatehouse_sign_ins_total',
    help: 'Sign-ins, by method (password, oidc, jwt) and outcome (succeeded, failed).',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'gatehouse_token_issuances_total',
    help: 'Token issuances (one per grant or authorization response), by grant type.',
    labelNames: ['grant_type'] as const,
    registers: [registry],
  });
  const auditDropped = new Counter({
    name: 'gatehouse_audit_events_dropped_total',
    help: 'Audit events dropped because the database could not be written while too many were waiting.',
    registers: [registry],
  });
  new Gauge({
    name: 'gatehouse_audit_events_queued',
    help: 'Audit events waiting to be written.',
    registers: [registry],
    collect() {
      this.set(sources.auditQueued());
    },
  });
  const engineBuilds = new Counter({
    name: 'gatehouse_engine_builds_total',
    help: 'Protocol engines built from stored state: one at start, one more each time scopes or keys changed.',
    registers: [registry],
  });
  const { pool } = sources;
  if (pool) {
    new Gauge({
      name: 'gatehouse_database_pool_connections',
      help: 'PostgreSQL connections of this instance, by state (total, idle).',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = pool();
        this.set({ state: 'total' }, stats.totalCount);
        this.set({ state: 'idle' }, stats.idleCount);
      },
    });
    new Gauge({
      name: 'gatehouse_database_pool_waiting',
      help: 'Queries waiting for a PostgreSQL connection of this instance.',
      registers: [registry],
      collect() {
        this.set(pool().waitingCount);
      },
    });
  }

  function recorded(event: AuditEvent): void {
    if (event.type === 'sign_in.succeeded' || event.type === 'sign_in.failed') {
      signIns.inc({ method: labelOf(event.details?.method), outcome: event.type === 'sign_in.succeeded' ? 'succeeded' : 'failed' });
    } else if (event.type === 'token.issued') {
      tokens.inc({ grant_type: labelOf(event.details?.grant_type) });
    }
  }

  return {
    registry,
    requestAnswered(route, method, status, seconds) {
      requests.observe({ route, method, status: String(status) }, seconds);
    },
    auditObserver: { recorded, dropped: (count) => auditDropped.inc(count) },
    engineBuilt: () => engineBuilds.inc(),
  };
}
