import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { importUsers, type ImportReport } from '../../users/import/import-users.js';
import { createProgress, type ProgressState } from '../progress.js';
import { stringOption, UsageError, type Command } from './command.js';

const formats = ['csv', 'jsonl'] as const;
type Format = (typeof formats)[number];
const byExtension: Record<string, Format> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

const number = (n: number) => n.toLocaleString('en-US');

function formatOf(file: string, given: string | undefined): Format {
  if (given !== undefined) {
    if (!(formats as readonly string[]).includes(given)) throw new UsageError(`--format must be csv or jsonl, not "${given}"`);
    return given as Format;
  }
  const format = byExtension[path.extname(file).toLowerCase()];
  if (!format) throw new UsageError(`cannot tell the format of ${file === '-' ? 'standard input' : `"${file}"`} from its name: give --format csv or --format jsonl`);
  return format;
}

/** The input as a stream, counting the bytes that went by, for the progress bar's fraction. */
async function openInput(file: string, stdin: NodeJS.ReadableStream): Promise<{ stream: NodeJS.ReadableStream; size: number | undefined; read: () => number }> {
  let size: number | undefined;
  if (file !== '-') {
    try {
      size = (await stat(file)).size;
    } catch (error) {
      throw new GatehouseError('invalid_request', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      read += chunk.length;
      done(null, chunk);
    },
  });
  // A read error (the file, standard input) ends the import there, through the counter.
  pipeline(file === '-' ? stdin : createReadStream(file), counter, () => {});
  return { stream: counter, size, read: () => read };
}

/** The totals, once the import is over; each failure was printed as it was found. */
function printTotals(report: ImportReport, write: (text: string) => unknown): void {
  write(`imported ${number(report.imported)} user${report.imported === 1 ? '' : 's'}; skipped ${number(report.skipped)} whose user name exists already; `
    + `${number(report.failedCount)} failed\n`);
}

export const usersImport: Command = {
  words: ['users', 'import'],
  arguments: ['<file>'],
  argumentHelp: { '<file>': 'a CSV file (a header row, then a user per row) or JSON lines (a user per line); - reads standard input' },
  summary: 'import users from CSV or JSON lines, with their existing argon2 or bcrypt password hashes',
  details: 'Each user is checked as the configuration file\'s users are, and its password_hash (argon2 or bcrypt, from the '
    + 'system the users come from) is kept, so that they sign in with their old passwords; it is replaced by an argon2id '
    + 'hash at each one\'s first sign-in. Clear-text passwords are refused. The file is read as it is imported, in '
    + 'bounded memory, and users are written in batches; a line that cannot be imported is reported with its reason and '
    + 'the import goes on, and each user is created whole or not at all. A user name that exists already is skipped and '
    + 'left as it is, so an import that stopped can be run again. Each line that fails is printed as it is found, and the '
    + 'totals at the end. Progress goes to standard error: a bar on a terminal, plain lines otherwise. Exit status 1 when '
    + 'any line failed.',
  options: [
    { name: 'format', value: '<csv|jsonl>', description: 'the input\'s format; by default from the file name (.csv, .jsonl or .ndjson)' },
  ],
  examples: [
    'gatehouse users import users.csv',
    'gatehouse users import export.ndjson',
    'old-system-export | gatehouse users import - --format jsonl',
  ],
  checkLine([file], options) {
    formatOf(file!, stringOption(options, 'format'));
  },
  async run([file], context, io, options) {
    const format = formatOf(file!, stringOption(options, 'format'));
    const input = await openInput(file!, io.stdin);
    const progress = createProgress(io);
    const state = (done: { lines: number; imported: number; failed: number }): ProgressState => ({
      fraction: input.size ? input.read() / input.size : undefined,
      text: `${number(done.lines)} lines, ${number(done.imported)} imported, ${number(done.failed)} failed`,
    });
    let last = { lines: 0, imported: 0, failed: 0 };
    const report = await importUsers(context.services, input.stream, {
      format,
      actor: context.actor,
      onProgress: (done) => {
        last = done;
        progress.update(state(done));
      },
      // Each failure as it is found, however many there are: the report keeps only the first.
      // On a terminal the bar's line is cleared first (it is redrawn at the next update), so that
      // the failure does not land after it.
      onFailure: ({ line, reason }) => {
        if (io.stderr.isTTY === true) io.stderr.write('\r\x1b[K');
        io.stdout.write(`line ${line}: ${reason}\n`);
      },
    });
    progress.done({ ...state(last), fraction: input.size === undefined ? undefined : 1 });
    printTotals(report, (text) => io.stdout.write(text));
    if (report.failedCount > 0) {
      throw new GatehouseError('invalid_request', `${number(report.failedCount)} line${report.failedCount === 1 ? ' was' : 's were'} not imported (listed above); every other user was`);
    }
  },
};
