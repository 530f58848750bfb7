import { sql, type RawBuilder } from 'kysely';

/**
 * `column` contains `text`, ignoring case (as lower() folds it), with `%`, `_` and `\` in the
 * text matched as themselves: the same statement on SQLite and PostgreSQL.
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`);
  return sql<boolean>`lower(${sql.ref(column)}) like ${`%${escaped}%`} escape '\\'`;
}
