/** One line of the input as read: its number (from 1) and its text, or why it cannot be read. */
export type PhysicalLine = { number: number; text: string } | { number: number; unreadable: string };

/** How many lines have been read so far, for progress. */
export interface LineCount {
  lines: number;
}

const newline = 0x0a;
const carriageReturn = 0x0d;

/**
 * Splits a stream of bytes into lines ending in LF or CRLF, holding at most one line of
 * `maxBytes` (and the chunk it is in) at a time. Lines are split on bytes before decoding,
 * since 0x0A never occurs inside a UTF-8 sequence, so that a line that is not valid UTF-8 is
 * that line's error rather than the whole import's. A longer line is skipped up to its end and
 * reported. A byte order mark at the start of the first line is dropped.
 */
export async function* physicalLines(input: NodeJS.ReadableStream, maxBytes: number, count: LineCount): AsyncGenerator<PhysicalLine> {
  // ignoreBOM keeps U+FEFF: every line is decoded on its own, and only the first line's is a byte order mark.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;

  const append = (piece: Buffer): void => {
    if (tooLong || piece.length === 0) return;
    size += piece.length;
    if (size > maxBytes) {
      tooLong = true;
      parts = [];
    } else {
      parts.push(piece);
    }
  };

  const finish = (): PhysicalLine => {
    count.lines += 1;
    const number = count.lines;
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const wasTooLong = tooLong;
    parts = [];
    size = 0;
    tooLong = false;
    if (wasTooLong) return { number, unreadable: `the line is longer than ${maxBytes} bytes` };
    const end = bytes.length > 0 && bytes[bytes.length - 1] === carriageReturn ? bytes.length - 1 : bytes.length;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, end));
    } catch {
      return { number, unreadable: 'the line is not valid UTF-8' };
    }
    if (number === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    return { number, text };
  };

  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    let start = 0;
    while (start < buffer.length) {
      const end = buffer.indexOf(newline, start);
      append(buffer.subarray(start, end === -1 ? buffer.length : end));
      if (end === -1) break;
      yield finish();
      start = end + 1;
    }
  }
  // The last line, when the input does not end with a newline.
  if (size > 0) yield finish();
}
