import type { Actor } from '../../runtime/actor.js';
import type { Services } from '../../services.js';
import { checkRecord, quoted, type ImportCandidate } from './check-record.js';
import { csvRecords } from './csv-records.js';
import { csvUsers } from './csv-users.js';
import { jsonlUsers } from './jsonl-users.js';
import { physicalLines } from './physical-lines.js';

/** A record not imported: the line it starts on (from 1) and why, naming the field. */
export interface ImportFailure {
  line: number;
  reason: string;
}

export interface ImportReport {
  imported: number;
  /** Users whose user name exists already: left exactly as they are, not an error (an import run again resumes). */
  skipped: number;
  /**
   * The records not imported for a reason of their own, in line order: the first
   * `importLimits.failuresKept` of them by line, so that a file of nothing but bad lines is not
   * held in memory. Every one goes to `onFailure` as it is found.
   */
  failed: ImportFailure[];
  /** How many records were not imported, in all: more than `failed.length` when some were left out of it. */
  failedCount: number;
}

export interface ImportProgress {
  /** Lines of the input read so far. */
  lines: number;
  imported: number;
  failed: number;
}

export interface ImportOptions {
  format: 'csv' | 'jsonl';
  actor: Actor;
  /** Called every `importLimits.progressLines` lines or more, once what they held is stored, and at the end. */
  onProgress?: (done: ImportProgress) => void;
  /**
   * Called with each record not imported, as it is found: when it is read, or, for an email
   * another user has, when its batch is written (so a few may come after later lines' failures).
   */
  onFailure?: (failure: ImportFailure) => void;
}

export const importLimits = {
  /**
   * Users written per transaction. One commit per 500 users instead of one per user is what
   * makes 10,000 users a matter of seconds on SQLite (each commit is a sync to disk); 500 rows of
   * 13 columns are 6,500 parameters, well under SQLite's 32,766 and PostgreSQL's 65,535; and each
   * transaction holds SQLite's write lock for milliseconds, so a server running beside the import
   * keeps signing people in.
   */
  batchUsers: 500,
  /** A batch is also written once its records hold this many characters, so that a batch of large records stays small. */
  batchChars: 1_000_000,
  /** Lines between two progress reports (at least). */
  progressLines: 500,
  /** The longest line read, in bytes; a user takes a few hundred. */
  lineBytes: 65_536,
  /** The longest CSV record, in characters, quoted line breaks included: how far an unclosed quote is followed. */
  recordChars: 65_536,
  /**
   * Failures kept in the report (about 200 KB): more than anyone reads in a terminal, enough to
   * see what went wrong; the rest go to `onFailure` only, and are counted in `failedCount`.
   */
  failuresKept: 1000,
};

/**
 * The failures of an import as the report keeps them: the first `importLimits.failuresKept` by
 * line. Failures come in line order, except those found when a batch is written, whose lines may
 * come before some already kept: the kept failure with the latest line then makes way.
 */
function keptFailures(): { add(failure: ImportFailure): void; list(): ImportFailure[] } {
  const kept: ImportFailure[] = [];
  let latest = 0;
  return {
    add(failure) {
      if (kept.length < importLimits.failuresKept) {
        kept.push(failure);
        latest = Math.max(latest, failure.line);
        return;
      }
      if (failure.line >= latest) return;
      kept[kept.findIndex((one) => one.line === latest)] = failure;
      latest = Math.max(...kept.map((one) => one.line));
    },
    list: () => kept.sort((a, b) => a.line - b.line),
  };
}

/**
 * Imports users from CSV (a header row, then a user per record) or JSON lines (a user per
 * line), with existing argon2 or bcrypt hashes stored as they are (not hashed again: replaced
 * by argon2id at each user's first sign-in). The input is read as it is consumed, line by
 * line, and users are written in batches of `importLimits.batchUsers`, each in one transaction.
 * What is held at a time is bounded whatever the file's size: one batch (with its user names
 * and emails, to find duplicates within it) and the first `importLimits.failuresKept` failures,
 * never the file.
 *
 * A record that cannot be imported (malformed, invalid, a duplicate within its batch, an email
 * some user has already) is reported with its line, to `onFailure` at once, and the import goes
 * on; each user is one row, created whole or not at all. A user name that exists already is
 * skipped: that user, declared in the configuration file or not, is left as it is; so is a
 * user name repeated in a later batch of the file, its first stored by then (and an email
 * repeated in a later batch fails as another user's). A CSV header Gatehouse cannot use refuses
 * the whole file (invalid_request) before anything is written; a database outage or an
 * unreadable input stops the import there, keeping the batches already written (running the
 * import again skips them).
 */
export async function importUsers(services: Services, input: NodeJS.ReadableStream, options: ImportOptions): Promise<ImportReport> {
  const report = { imported: 0, skipped: 0, failedCount: 0 };
  const failures = keptFailures();
  const count = { lines: 0 };
  const lines = physicalLines(input, importLimits.lineBytes, count);
  const records = options.format === 'csv' ? csvUsers(csvRecords(lines, importLimits.recordChars)) : jsonlUsers(lines);
  /**
   * The line each user name and email of the batch was accepted on, normalized as compared. A
   * repeat in a later batch is the database's to find: its first is stored by then.
   */
  const inBatch = { usernames: new Map<string, number>(), emails: new Map<string, number>() };
  let batch: Array<{ line: number; candidate: ImportCandidate }> = [];
  let batchChars = 0;
  let reportedAt = 0;

  const fail = (line: number, reason: string): void => {
    report.failedCount += 1;
    failures.add({ line, reason });
    options.onFailure?.({ line, reason });
  };

  const duplicateOf = ({ user, username, email }: ImportCandidate): string | undefined => {
    const nameLine = inBatch.usernames.get(username);
    if (nameLine !== undefined) return `username: ${quoted(user.username)} is in the file already, on line ${nameLine}`;
    const emailLine = email === undefined ? undefined : inBatch.emails.get(email);
    if (emailLine !== undefined) return `email: ${quoted(email!)} is in the file already, on line ${emailLine}`;
    return undefined;
  };

  /** A valid record joins the batch, unless its user name or email is in the batch already. */
  const accept = (line: number, size: number, candidate: ImportCandidate): void => {
    const duplicate = duplicateOf(candidate);
    if (duplicate !== undefined) return fail(line, duplicate);
    inBatch.usernames.set(candidate.username, line);
    if (candidate.email !== undefined) inBatch.emails.set(candidate.email, line);
    batch.push({ line, candidate });
    batchChars += size;
  };

  async function flush(): Promise<void> {
    if (batch.length === 0) return;
    const written = batch;
    batch = [];
    batchChars = 0;
    inBatch.usernames.clear();
    inBatch.emails.clear();
    const outcomes = await services.users.createImportedUsers(options.actor, written.map(({ candidate }) => candidate.user));
    for (const [index, result] of outcomes.entries()) {
      const { line, candidate } = written[index]!;
      if (result.outcome === 'created') report.imported += 1;
      else if (result.outcome === 'exists') report.skipped += 1;
      else fail(line, `email: ${quoted(candidate.email!)} belongs to ${result.owner === undefined ? 'another user' : `the existing user ${quoted(result.owner)}`}`);
    }
  }

  const progress = (): void => {
    reportedAt = count.lines;
    options.onProgress?.({ lines: count.lines, imported: report.imported, failed: report.failedCount });
  };

  for await (const record of records) {
    if ('error' in record) {
      fail(record.line, record.error);
    } else {
      const checked = checkRecord(record.value);
      if ('reason' in checked) fail(record.line, checked.reason);
      else accept(record.line, record.size, checked.candidate);
    }
    if (batch.length >= importLimits.batchUsers || batchChars >= importLimits.batchChars) await flush();
    if (count.lines - reportedAt >= importLimits.progressLines) {
      await flush();
      progress();
    }
  }
  await flush();
  progress();
  return { imported: report.imported, skipped: report.skipped, failed: failures.list(), failedCount: report.failedCount };
}
