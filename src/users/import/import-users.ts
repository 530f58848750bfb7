import type { Actor } from '../../runtime/actor.js';
import type { Services } from '../../services.js';
import { checkRecord, type ImportCandidate } from './check-record.js';
import { csvRecords } from './csv-records.js';
import { csvUsers } from './csv-users.js';
import { jsonlUsers } from './jsonl-users.js';
import { physicalLines } from './physical-lines.js';

export interface ImportReport {
  imported: number;
  /** Users whose user name exists already: left exactly as they are, not an error (an import run again resumes). */
  skipped: number;
  /** Every record not imported for a reason of its own, by the line it starts on, in line order. */
  failed: Array<{ line: number; reason: string }>;
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
};

/**
 * Imports users from CSV (a header row, then a user per record) or JSON lines (a user per
 * line), with existing argon2 or bcrypt hashes stored as they are (not hashed again: replaced
 * by argon2id at each user's first sign-in). The input is read as it is consumed, line by
 * line, and users are written in batches of `importLimits.batchUsers`, each in one transaction;
 * what is held at a time is one batch and the user names and emails seen so far (to find
 * duplicates within the file), never the file.
 *
 * A record that cannot be imported (malformed, invalid, a duplicate within the file, an email
 * some user has already) is reported with its line and the import goes on; each user is one
 * row, created whole or not at all. A user name that exists already is skipped: that user,
 * declared in the configuration file or not, is left as it is. A CSV header Gatehouse cannot
 * use refuses the whole file (invalid_request) before anything is written; a database outage
 * or an unreadable input stops the import there, keeping the batches already written (running
 * the import again skips them).
 */
export async function importUsers(services: Services, input: NodeJS.ReadableStream, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { imported: 0, skipped: 0, failed: [] };
  const count = { lines: 0 };
  const lines = physicalLines(input, importLimits.lineBytes, count);
  const records = options.format === 'csv' ? csvUsers(csvRecords(lines, importLimits.recordChars)) : jsonlUsers(lines);
  /** The line each user name and email was first accepted on, normalized as compared. */
  const seen = { usernames: new Map<string, number>(), emails: new Map<string, number>() };
  let batch: Array<{ line: number; candidate: ImportCandidate }> = [];
  let batchChars = 0;
  let reportedAt = 0;

  const fail = (line: number, reason: string): void => {
    report.failed.push({ line, reason });
  };

  const duplicateOf = ({ user, username, email }: ImportCandidate): string | undefined => {
    const nameLine = seen.usernames.get(username);
    if (nameLine !== undefined) return `username: "${user.username}" is in the file already, on line ${nameLine}`;
    const emailLine = email === undefined ? undefined : seen.emails.get(email);
    if (emailLine !== undefined) return `email: "${email}" is in the file already, on line ${emailLine}`;
    return undefined;
  };

  /** A valid record joins the batch, unless its user name or email was on an earlier line. */
  const accept = (line: number, size: number, candidate: ImportCandidate): void => {
    const duplicate = duplicateOf(candidate);
    if (duplicate !== undefined) return fail(line, duplicate);
    seen.usernames.set(candidate.username, line);
    if (candidate.email !== undefined) seen.emails.set(candidate.email, line);
    batch.push({ line, candidate });
    batchChars += size;
  };

  async function flush(): Promise<void> {
    if (batch.length === 0) return;
    const written = batch;
    batch = [];
    batchChars = 0;
    const outcomes = await services.users.createImportedUsers(options.actor, written.map(({ candidate }) => candidate.user));
    for (const [index, result] of outcomes.entries()) {
      const { line, candidate } = written[index]!;
      if (result.outcome === 'created') report.imported += 1;
      else if (result.outcome === 'exists') report.skipped += 1;
      else fail(line, `email: "${candidate.email}" belongs to ${result.owner === undefined ? 'another user' : `the existing user "${result.owner}"`}`);
    }
  }

  const progress = (): void => {
    reportedAt = count.lines;
    options.onProgress?.({ lines: count.lines, imported: report.imported, failed: report.failed.length });
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
  report.failed.sort((a, b) => a.line - b.line);
  return report;
}
