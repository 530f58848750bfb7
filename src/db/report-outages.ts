import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import { storageUnavailable, type OutageTest } from './outage-errors.js';

/**
 * Wraps a dialect so that every query, transaction and connection fails with
 * GatehouseError('storage_unavailable') while the database cannot be reached, and with the
 * driver's own error otherwise (constraint violations, SQL mistakes), once for every caller.
 */
export function reportOutages(dialect: Dialect, isOutage: OutageTest): Dialect {
  return {
    createDriver: () => new OutageReportingDriver(dialect.createDriver(), isOutage),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

type Classify = (error: unknown) => unknown;

async function classified<T>(work: () => Promise<T>, classify: Classify): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classify(error);
  }
}

class OutageReportingConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly classify: Classify,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return classified(() => this.inner.executeQuery<R>(compiledQuery), this.classify);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw this.classify(error);
    }
  }
}

/** The inner driver keeps private state on its own connection objects, so it is always handed those. */
class OutageReportingDriver implements Driver {
  private readonly wrapped = new WeakMap<DatabaseConnection, OutageReportingConnection>();
  private readonly classify: Classify;

  constructor(
    private readonly inner: Driver,
    isOutage: OutageTest,
  ) {
    this.classify = (error) => (isOutage(error) ? storageUnavailable(error) : error);
  }

  init(): Promise<void> {
    return classified(() => this.inner.init(), this.classify);
  }

  /** A connection that cannot be had is an outage whatever the reason: refused, wrong password, database gone. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await classified(() => this.inner.acquireConnection(), storageUnavailable);
    let outer = this.wrapped.get(connection);
    if (!outer) {
      outer = new OutageReportingConnection(connection, this.classify);
      this.wrapped.set(connection, outer);
    }
    return outer;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return classified(() => this.inner.beginTransaction(innerOf(connection), settings), this.classify);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return classified(() => this.inner.commitTransaction(innerOf(connection)), this.classify);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return classified(() => this.inner.rollbackTransaction(innerOf(connection)), this.classify);
  }

  savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    return classified(() => this.supported('savepoint')(innerOf(connection), name, compileQuery), this.classify);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    return classified(() => this.supported('rollbackToSavepoint')(innerOf(connection), name, compileQuery), this.classify);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    return classified(() => this.supported('releaseSavepoint')(innerOf(connection), name, compileQuery), this.classify);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  private supported(method: 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint') {
    const implementation = this.inner[method];
    if (!implementation) throw new Error(`the ${method} method is not supported by this driver`);
    return implementation.bind(this.inner);
  }
}

function innerOf(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof OutageReportingConnection ? connection.inner : connection;
}
