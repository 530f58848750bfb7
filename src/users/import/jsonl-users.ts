import type { PhysicalLine } from './physical-lines.js';
import type { SourceRecord } from './source-record.js';

/**
 * Where JSON.parse stopped, without its message: V8's quotes a piece of the line, which could
 * be part of a password hash.
 */
function positionOf(error: unknown): string {
  const at = /at position (\d+)/.exec(String((error as Error | undefined)?.message ?? ''));
  return at ? ` (at character ${Number(at[1]) + 1})` : '';
}

/** The users of a JSON lines file: one JSON object per line; blank lines are skipped. */
export async function* jsonlUsers(lines: AsyncIterable<PhysicalLine>): AsyncGenerator<SourceRecord> {
  for await (const line of lines) {
    if ('unreadable' in line) {
      yield { line: line.number, error: line.unreadable };
      continue;
    }
    if (line.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      yield { line: line.number, error: `not valid JSON${positionOf(error)}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line: line.number, error: 'not a JSON object: each line holds one user, as {"username": "…", …}' };
      continue;
    }
    yield { line: line.number, size: line.text.length, value: value as Record<string, unknown> };
  }
}
