import { GatehouseError } from '../errors/gatehouse-error.js';

/** Tells a driver error that means "the database cannot be reached" from one about the query itself. */
export type OutageTest = (error: unknown) => boolean;

interface DriverError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

const codeOf = (error: unknown): string => String((error as DriverError | null)?.code ?? '');
const messageOf = (error: unknown): string => String((error as DriverError | null)?.message ?? '');

/** The socket to the server failed: refused, reset, timed out, or the host is not found. */
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATE 57P01-57P03: the server is shutting down, crashed or is starting (pg_terminate_backend
 * too); 53300: it accepts no more connections. Class 08 is the connection exceptions.
 */
const postgresOutageStates = new Set(['57P01', '57P02', '57P03', '53300']);

/** What pg and Kysely say without a code: the connection ended, the pool timed out or was ended. */
const postgresOutageMessages = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Cannot use a pool after calling end/,
  /^driver has already been destroyed/,
];

export const isPostgresOutage: OutageTest = (error) => {
  const code = codeOf(error);
  if (networkCodes.has(code) || postgresOutageStates.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  // Node reports a refused connection to every address of a host (IPv6 and IPv4) as one AggregateError.
  const nested = (error as DriverError | null)?.errors;
  if (Array.isArray(nested) && nested.some(isPostgresOutage)) return true;
  return postgresOutageMessages.some((pattern) => pattern.test(messageOf(error)));
};

/**
 * The file cannot be opened or read (CANTOPEN, IOERR, NOTADB, CORRUPT), written (FULL, READONLY,
 * which includes a file moved or deleted under us), or another process kept its lock past
 * busy_timeout (BUSY, PROTOCOL). Extended codes such as SQLITE_IOERR_READ count with their primary.
 */
const sqliteOutageCodes = /^SQLITE_(BUSY|PROTOCOL|IOERR|CANTOPEN|NOTADB|CORRUPT|FULL|READONLY)(_|$)/;

export const isSqliteOutage: OutageTest = (error) =>
  sqliteOutageCodes.test(codeOf(error)) || /^The database connection is not open/.test(messageOf(error));

/** The error every query fails with while the database cannot be reached; the driver's own is its cause. */
export function storageUnavailable(cause: unknown): GatehouseError {
  return new GatehouseError('storage_unavailable', `the database cannot be reached: ${messageOf(cause) || String(cause)}`, { cause });
}
