import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/**
 * Kysely hands better-sqlite3 each query's SQL text to prepare on every call, and preparing
 * (parsing and planning) costs more than running most of Gatehouse's one-row statements. The
 * same text gets the statement prepared the first time. A statement still being iterated is
 * busy and cannot run twice at once, so a query meeting a busy one gets a fresh statement.
 * The least recently used are dropped beyond `size`, for texts that vary (batches of rows).
 */
export function withStatementCache(database: SqliteDatabase.Database, size: number): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const kept = statements.get(sql);
      if (kept && !kept.busy) {
        // Map keeps insertion order: taking it out and putting it back makes it the most recent.
        statements.delete(sql);
        statements.set(sql, kept);
        return kept;
      }
      const statement = database.prepare(sql);
      if (kept) return statement;
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}
