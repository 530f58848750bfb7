import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Services } from '../../src/services.js';
import { importUsers, type ImportProgress } from '../../src/users/import/import-users.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('user-import-scale-secret-0123456789-abcdef');
const users = 10_000;
const linesPerChunk = 100;
const bcryptHash = bcrypt.hashSync('an old password', 4);

/**
 * A CSV file of `users` users and three bad lines, made as it is read: each chunk of 100 lines
 * is generated only when the stream is asked for it, and `produced` counts the lines made so far.
 */
function* generatedCsv(produced: { lines: number }): Generator<string> {
  produced.lines = 1;
  yield 'username,email,password_hash,name,groups,attr.employee_number\n';
  let chunk = '';
  for (let index = 0; index < users; index += 1) {
    chunk += `user-${index},user-${index}@example.com,${bcryptHash},"Last, First ${index}",staff;site-${index % 7},${index}\n`;
    if (index === 2500 || index === 5000 || index === 7500) chunk += `bad-${index},not-an-email,,,,\n`;
    if ((index + 1) % linesPerChunk === 0) {
      produced.lines += chunk.split('\n').length - 1;
      yield chunk;
      chunk = '';
    }
  }
}

for (const dialect of dialects) {
  describe(`importing 10,000 users (${dialect})`, () => {
    let opened: Awaited<ReturnType<typeof openFreshServices>>;
    let services: Services;

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock: pinnedClock() });
      services = opened.services;
    });
    after(() => opened?.cleanup());

    test('a generated file is read as it is made, never ahead of what is stored, and every user arrives', async (t) => {
      const produced = { lines: 0 };
      const lagAtProgress: number[] = [];
      const calls: ImportProgress[] = [];
      const started = performance.now();
      const report = await importUsers(services, Readable.from(generatedCsv(produced)), {
        format: 'csv',
        actor: { kind: 'cli', command: 'users import' },
        onProgress: (done) => {
          calls.push(done);
          lagAtProgress.push(produced.lines - done.lines);
        },
      });
      t.diagnostic(`${dialect}: ${users} users in ${Math.round(performance.now() - started)} ms, ${calls.length} progress reports, the file made at most ${Math.max(...lagAtProgress)} lines ahead`);

      assert.equal(report.imported, users);
      assert.equal(report.skipped, 0);
      assert.deepEqual(report.failed.map((failure) => failure.line), [2503, 5004, 7505]);
      assert.ok(report.failed.every((failure) => failure.reason === 'email: Invalid email address'));
      assert.equal(await services.users.count(), users);
      const last = await services.users.findByUsername(`user-${users - 1}`);
      assert.deepEqual([last?.groups, last?.attributes, last?.profile.name], [['staff', `site-${(users - 1) % 7}`], { employee_number: String(users - 1) }, `Last, First ${users - 1}`]);

      // The import pulled the file as it went: users were stored (and progress reported) while
      // most of the file did not exist yet, and the generator was never far ahead of the import,
      // whatever the speed of the machine: the stream's buffer of 16 chunks, and the chunk being read.
      const totalLines = users + 4;
      assert.deepEqual(calls.at(-1), { lines: totalLines, imported: users, failed: 3 });
      assert.ok(calls.length >= totalLines / 1000, `${calls.length} progress reports`);
      assert.ok(calls[0]!.imported > 0 && calls[0]!.lines < 2 * 500, `the first report came after ${calls[0]!.lines} lines`);
      const aheadAtMost = 18 * linesPerChunk + 3;
      assert.ok(lagAtProgress.every((lag) => lag <= aheadAtMost), `the file was made up to ${Math.max(...lagAtProgress)} lines ahead of the import`);
    });
  });
}
