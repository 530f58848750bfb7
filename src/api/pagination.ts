import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';

/**
 * Cursor pagination. A page is ordered by a unique key (a user's normalized name, a client_id, an
 * event's time and id) and the cursor is the last key of the page, opaque to the caller: the next
 * page starts after it, so records inserted or deleted meanwhile never repeat or shift one that was
 * not seen yet.
 */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(defaults.api.maxPageSize).default(defaults.api.pageSize)
    .describe(`How many items a page holds, at most ${defaults.api.maxPageSize}.`),
  cursor: z.string().max(1024).optional().describe('The `next_cursor` of the page before; absent for the first page.'),
};

/** A page of items and the cursor of the next one; null when this page is the last. */
export function pageOf<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor carries, of the shape the listing expects; a cursor from elsewhere is the caller's mistake. */
export function decodeCursor<Key extends readonly (string | number)[]>(cursor: string | undefined, shape: z.ZodType<Key>): Key | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    // No stored key holds a NUL, and PostgreSQL could not even compare one.
    if (key.some((part) => typeof part === 'string' && part.includes('\u0000'))) throw new Error('a NUL in a cursor');
    return key;
  } catch {
    throw new GatehouseError('invalid_request', 'The request is invalid: querystring.cursor: is not a cursor of this listing', {
      details: [{ path: 'querystring.cursor', message: 'is not a cursor of this listing' }],
    });
  }
}

/**
 * One page from `limit + 1` rows read after the cursor: the extra row only tells that there is
 * more, and the page's last key becomes the next cursor.
 */
export function pageFrom<Row, Item>(rows: Row[], limit: number, keyOf: (row: Row) => readonly (string | number)[], view: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(view), next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/**
 * Up to `limit + 1` rows after `after` that pass `confirm`, reading candidates a batch at a time:
 * for a search the database narrows by text and the caller decides by field, and a page still
 * fills across candidates that were not confirmed.
 */
export async function confirmedRows<Row, Key>(
  read: (after: Key | undefined, batch: number) => Promise<Row[]>, confirm: (row: Row) => boolean, keyOf: (row: Row) => Key, after: Key | undefined, limit: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  let from = after;
  for (;;) {
    const batch = await read(from, limit + 1);
    rows.push(...batch.filter(confirm));
    if (rows.length > limit || batch.length <= limit) return rows.slice(0, limit + 1);
    from = keyOf(batch.at(-1)!);
  }
}
