/**
 * A write refused by a unique index (PostgreSQL SQLSTATE 23505, SQLite's constraint codes): a
 * concurrent writer took the value between a check and the write.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
