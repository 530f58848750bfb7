import type { PhysicalLine } from './physical-lines.js';

/**
 * A CSV record: the line it starts on and its fields, or why it is not a well-formed record
 * (and whether it starts with `{`, as a line of JSON does: a file given as CSV by mistake).
 */
export type CsvRecord = { line: number; size: number; fields: string[] } | { line: number; error: string; json?: boolean };

/** A record being read: the fields so far, and the one being read when a line ends inside its quotes. */
interface RecordState {
  fields: string[];
  /** The quoted field a line break is inside of, so far; undefined between fields. */
  open: string | undefined;
  error: string | undefined;
}

/**
 * Reads one line into the record (RFC 4180): fields separated by commas; a field in double
 * quotes may hold commas, line breaks and doubled quotes (`""` is one `"`). A quote inside an
 * unquoted field, or anything but a comma after a closing quote, is an error. Leaves `open` set
 * when the line ends inside a quoted field.
 */
function readLine(text: string, state: RecordState): void {
  let at = 0;
  let quoted = state.open;
  if (quoted !== undefined) quoted += '\n';
  for (;;) {
    if (quoted === undefined && text[at] !== '"') {
      const comma = text.indexOf(',', at);
      const value = text.slice(at, comma === -1 ? text.length : comma);
      if (value.includes('"')) {
        state.error = `field ${state.fields.length + 1}: a quote inside an unquoted field (quote the whole field, and double each quote in it)`;
        return;
      }
      state.fields.push(value);
      if (comma === -1) break;
      at = comma + 1;
      continue;
    }
    if (quoted === undefined) {
      quoted = '';
      at += 1;
    }
    const quote = text.indexOf('"', at);
    if (quote === -1) {
      state.open = quoted + text.slice(at);
      return;
    }
    quoted += text.slice(at, quote);
    if (text[quote + 1] === '"') {
      quoted += '"';
      at = quote + 2;
      continue;
    }
    state.fields.push(quoted);
    quoted = undefined;
    at = quote + 1;
    if (at === text.length) break;
    if (text[at] !== ',') {
      state.error = `field ${state.fields.length}: text after the closing quote (double each quote inside a quoted field)`;
      return;
    }
    at += 1;
  }
  state.open = undefined;
}

/**
 * The CSV records of a sequence of lines, in bounded memory: a record is at most `maxChars`
 * characters. Empty lines between records are skipped. A malformed record is reported at the
 * line it starts on, and reading goes on at the next line: when the record spans lines (a quoted
 * field never closed before the end of the input or within `maxChars`, or an error on a line
 * after its first), the lines it took in after its first are read again as records of their own,
 * since the quote that opened the field was most likely the mistake.
 */
export async function* csvRecords(lines: AsyncIterator<PhysicalLine>, maxChars: number): AsyncGenerator<CsvRecord> {
  /** Lines to read again, the next one last. */
  const again: PhysicalLine[] = [];
  const next = async (): Promise<PhysicalLine | undefined> => {
    const line = again.pop();
    if (line) return line;
    const read = await lines.next();
    return read.done ? undefined : read.value;
  };

  try {
    yield* records(next, again, maxChars);
  } finally {
    // Stopping early (a refused header) releases the input, which a manual next() does not do by itself.
    await lines.return?.();
  }
}

async function* records(next: () => Promise<PhysicalLine | undefined>, again: PhysicalLine[], maxChars: number): AsyncGenerator<CsvRecord> {
  for (;;) {
    const first = await next();
    if (!first) return;
    if ('unreadable' in first) {
      yield { line: first.number, error: first.unreadable };
      continue;
    }
    if (first.text === '') continue;
    const state: RecordState = { fields: [], open: undefined, error: undefined };
    const taken: PhysicalLine[] = [first];
    let size = first.text.length;
    readLine(first.text, state);
    let unclosed: string | undefined;
    while (state.open !== undefined && state.error === undefined) {
      const line = size > maxChars ? undefined : await next();
      if (!line) {
        unclosed = size > maxChars
          ? `a quoted field is still open after ${maxChars} characters: a closing quote is missing`
          : 'a quoted field is never closed: a closing quote is missing';
        break;
      }
      taken.push(line);
      if ('unreadable' in line) {
        state.error = `line ${line.number}, inside a quoted field: ${line.unreadable}`;
        break;
      }
      size += line.text.length + 1;
      readLine(line.text, state);
      if (state.error !== undefined) state.error = `line ${line.number}, ${state.error}`;
    }
    if (unclosed === undefined && state.error === undefined) {
      yield { line: first.number, size, fields: state.fields };
      continue;
    }
    yield unclosed !== undefined
      ? { line: first.number, error: unclosed }
      : { line: first.number, error: state.error!, json: first.text.startsWith('{') };
    // The quote that opened the field was most likely the mistake: the lines it took in after
    // the first are read again, as records of their own, rather than lost with this one.
    for (let index = taken.length - 1; index >= 1; index -= 1) again.push(taken[index]!);
  }
}
