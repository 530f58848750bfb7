import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { isGatehouseError } from '../../src/errors/gatehouse-error.js';
import type { Actor } from '../../src/runtime/actor.js';
import type { Services } from '../../src/services.js';
import { importLimits, importUsers, type ImportProgress, type ImportReport } from '../../src/users/import/import-users.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('user-import-test-secret-0123456789-abcdef');
const cli: Actor = { kind: 'cli', command: 'users import' };
const file: Actor = { kind: 'config_file', file: 'gatehouse.yaml' };
const bcryptHash = bcrypt.hashSync('an old password', 4);

/** The file as a stream of small chunks, as a file or a pipe gives it. */
function streamOf(text: string): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 48) chunks.push(bytes.subarray(at, at + 48));
  return Readable.from(chunks);
}
/** The code block of docs/user-import.md in this language. */
function documented(language: 'csv' | 'json'): string {
  const block = new RegExp(`\`\`\`${language}\n([\\s\\S]*?)\`\`\``).exec(readFileSync(new URL('../../docs/user-import.md', import.meta.url), 'utf8'));
  assert.ok(block, `docs/user-import.md has a ${language} example`);
  return block[1]!;
}

const jsonl = (...records: unknown[]) => records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record))).join('\n');

for (const dialect of dialects) {
  describe(`importing users (${dialect})`, () => {
    let opened: Awaited<ReturnType<typeof openFreshServices>>;
    let services: Services;
    const clock = pinnedClock();

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock });
      services = opened.services;
    });
    after(() => opened?.cleanup());

    const find = async (username: string) => {
      const user = await services.users.findByUsername(username);
      assert.ok(user, `${username} was imported`);
      return user;
    };

    test('a CSV file with quoted commas, quotes and line breaks imports each user whole', async () => {
      const text = [
        '\uFEFFusername,email,password_hash,name,given_name,family_name,email_verified,groups,disabled,attr.department,attr.badge,address.locality',
        `ada,Ada@Example.com,${bcryptHash},"Lovelace, Ada",Ada,Lovelace,true,engineers;analysts,false,"R&D, ""Engines""",0042,London`,
        'grace,,,"Grace ""Amazing""',
        'Hopper",,,0,,1,,,',
        'ÉDITH,edith@example.com,,,,,,,,,,',
      ].join('\r\n');
      const report = await importUsers(services, streamOf(text), { format: 'csv', actor: cli });
      assert.deepEqual(report, { imported: 3, skipped: 0, failed: [], failedCount: 0 });
      const ada = await find('ada');
      assert.equal(ada.email, 'ada@example.com');
      assert.equal(ada.passwordHash, bcryptHash, 'the hash is stored as it came, not hashed again');
      assert.deepEqual(ada.profile, { name: 'Lovelace, Ada', given_name: 'Ada', family_name: 'Lovelace', email_verified: true, address: { locality: 'London' } });
      assert.deepEqual(ada.groups, ['engineers', 'analysts']);
      assert.deepEqual(ada.attributes, { department: 'R&D, "Engines"', badge: '0042' });
      assert.equal(ada.disabled, false);
      assert.equal(ada.owner, 'database');
      const grace = await find('grace');
      assert.deepEqual([grace.email, grace.passwordHash, grace.profile, grace.disabled], [undefined, undefined, { name: 'Grace "Amazing"\nHopper', email_verified: false }, true]);
      assert.equal((await find('édith')).username, 'ÉDITH');
    });

    test('a JSON lines file imports typed attributes, groups and every profile claim; blank lines are skipped', async () => {
      const text = jsonl(
        { username: 'linus', email: 'linus@example.com', password_hash: bcryptHash, groups: ['kernel'], attributes: { uid: 1000, admin: true, shells: ['bash', 'zsh'], team: 'core' }, locale: 'fi-FI', address: { country: 'FI' } },
        '',
        { username: 'margaret', disabled: true, phone_number: '+1 555 0100', phone_number_verified: false },
      );
      assert.deepEqual(await importUsers(services, streamOf(`${text}\n\n`), { format: 'jsonl', actor: cli }), { imported: 2, skipped: 0, failed: [], failedCount: 0 });
      const linus = await find('linus');
      assert.deepEqual([linus.groups, linus.attributes, linus.profile], [['kernel'], { uid: 1000, admin: true, shells: ['bash', 'zsh'], team: 'core' }, { locale: 'fi-FI', address: { country: 'FI' } }]);
      const margaret = await find('margaret');
      assert.deepEqual([margaret.disabled, margaret.profile], [true, { phone_number: '+1 555 0100', phone_number_verified: false }]);
    });

    test('bad lines are reported with their line and field while every good line imports', async () => {
      const count = await services.users.count();
      const text = [
        'username,email,password_hash,groups,disabled',
        'ok-1,ok-1@example.com,,,',
        'bad-email,not-an-address,,,',
        'bad-hash,,5f4dcc3b5aa765d61d8327deb882cf99,,',
        'ok-2,,,"multi',
        'line;group",',
        'bad-flag,,,,maybe',
        'bad"quote,,,,',
        'too,few',
        ',nobody@example.com,,,',
        'ok-3,,,,',
      ].join('\n');
      const report = await importUsers(services, streamOf(text), { format: 'csv', actor: cli });
      assert.deepEqual(report, {
        imported: 3,
        skipped: 0,
        failed: [
          { line: 3, reason: 'email: Invalid email address' },
          { line: 4, reason: 'password_hash: must be an argon2 ($argon2id$...) or bcrypt ($2b$...) hash' },
          { line: 7, reason: 'disabled: must be true or false (or 1 or 0)' },
          { line: 8, reason: 'field 1: a quote inside an unquoted field (quote the whole field, and double each quote in it)' },
          { line: 9, reason: 'the row has 2 fields where the header has 5' },
          { line: 10, reason: 'username: required' },
        ],
        failedCount: 6,
      });
      assert.equal(await services.users.count(), count + 3);
      assert.deepEqual((await find('ok-2')).groups, ['multi\nline', 'group']);
      for (const name of ['bad-email', 'bad-hash', 'bad-flag']) assert.equal(await services.users.findByUsername(name), undefined);
    });

    test('a JSON lines file reports bad lines the same way', async () => {
      const text = jsonl(
        { username: 'jo-1' },
        '{"username": "jo-2",',
        { username: 'jo-3', password: 'clear text!' },
        { username: 'jo-4', groups: 'staff' },
        { username: 'jo-5', colour: 'red' },
        '"jo-6"',
        { username: 'jo-7', attributes: { nested: { no: 1 } } },
        { username: 'jo-8' },
      );
      const report = await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli });
      assert.deepEqual(report.failed.map(({ line, reason }) => [line, reason.replace(/ \(at character \d+\)$/, '')]), [
        [2, 'not valid JSON'],
        [3, 'password: clear-text passwords are not imported; give the existing hash as password_hash'],
        [4, 'groups: Invalid input: expected array, received string'],
        [5, 'unknown field "colour"'],
        [6, 'not a JSON object: each line holds one user, as {"username": "…", …}'],
        [7, 'attributes.nested: must be a string, a number, true or false, or a list of strings'],
      ]);
      assert.deepEqual([report.imported, report.skipped], [2, 0]);
    });

    test('duplicates: an existing user name is skipped and left untouched, declared or not; a taken email or a name or email repeated in the file fails', async () => {
      const { user: kate } = await services.users.createUser(file, { username: 'kate', email: 'kate@example.com', groups: ['declared'] });
      await services.users.createUser(cli, { username: 'lena', email: 'lena@example.com' });
      clock.advance(60);
      const text = jsonl(
        { username: 'KATE', email: 'other@example.com', groups: ['imported'], disabled: true },
        { username: 'mia', email: 'LENA@example.com' },
        { username: 'nora', email: 'nora@example.com' },
        { username: 'ｎｏｒａ' },
        { username: 'olga', email: 'Nora@Example.com' },
        { username: 'pia', email: 'kate@example.com' },
      );
      const expectedFailures = [
        { line: 2, reason: 'email: "lena@example.com" belongs to the existing user "lena"' },
        { line: 4, reason: 'username: "ｎｏｒａ" is in the file already, on line 3' },
        { line: 5, reason: 'email: "nora@example.com" is in the file already, on line 3' },
        { line: 6, reason: 'email: "kate@example.com" belongs to the existing user "kate"' },
      ];
      assert.deepEqual(await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli }), { imported: 1, skipped: 1, failed: expectedFailures, failedCount: 4 });
      assert.deepEqual(await services.users.findById(kate.id), kate, 'the declared user is exactly as it was');
      assert.equal(await services.users.findByUsername('mia'), undefined);
      // Run again (an import that stopped half-way, say): what was imported is skipped.
      assert.deepEqual(await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli }), { imported: 0, skipped: 2, failed: expectedFailures, failedCount: 4 });
    });

    test('a name or email repeated in a later batch is found by the database: the name skipped as existing, the email failed as another user\'s', async () => {
      // The first batch ends once 500 users are read: the repeats come in the second, the first stored by then.
      const fillers = Array.from({ length: 600 }, (_, index) => ({ username: `filler-${index}` }));
      const text = jsonl(
        { username: 'early', email: 'early@example.com', groups: ['first'] },
        ...fillers,
        { username: 'EARLY', groups: ['second'] },
        { username: 'latecomer', email: 'Early@Example.com' },
      );
      const report = await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli });
      assert.deepEqual(report, {
        imported: 601,
        skipped: 1,
        failed: [{ line: 603, reason: 'email: "early@example.com" belongs to the existing user "early"' }],
        failedCount: 1,
      });
      assert.deepEqual((await find('early')).groups, ['first'], 'the first is left as it was imported');
      assert.equal(await services.users.findByUsername('latecomer'), undefined);
    });

    test('failures are reported as they are found; the report keeps the first 1,000 by line however many there are, and counts them all', async () => {
      /** JSON lines, made as they are read: every tenth line a user, the others broken. */
      function* generated(lines: number, prefix: string): Generator<string> {
        for (let at = 0; at < lines; at += 100) {
          let chunk = '';
          for (let line = at + 1; line <= Math.min(lines, at + 100); line += 1) chunk += line % 10 === 0 ? `${JSON.stringify({ username: `${prefix}-${line}` })}\n` : '{broken\n';
          yield chunk;
        }
      }
      for (const lines of [3_000, 30_000]) {
        const seen: Array<{ line: number; reason: string }> = [];
        const progress: ImportProgress[] = [];
        const report = await importUsers(services, Readable.from(generated(lines, `many-${lines}`)), {
          format: 'jsonl',
          actor: cli,
          onFailure: (failure) => seen.push(failure),
          onProgress: (done) => progress.push(done),
        });
        const failing = lines - lines / 10;
        assert.deepEqual([report.imported, report.failedCount, seen.length], [lines / 10, failing, failing], `${lines} lines`);
        assert.equal(report.failed.length, 1000, 'what the report holds does not grow with the file');
        assert.deepEqual(report.failed, seen.slice(0, 1000), 'the first 1,000, in line order');
        assert.deepEqual(seen.slice(0, 3).map(({ line }) => line), [1, 2, 3]);
        assert.ok(seen.every(({ line }, index) => line % 10 !== 0 && (index === 0 || line > seen[index - 1]!.line)), 'each failure once, as it was read');
        assert.deepEqual(progress.at(-1), { lines, imported: lines / 10, failed: failing });
      }
    });

    test('a failure found when its batch is written takes its place among the first kept by line', async () => {
      await services.users.createUser(cli, { username: 'holder', email: 'held@example.com' });
      // Line 1's email is found taken only when its batch is written, after the 149 broken lines
      // after it were reported. (Kept failures cut to 100, since with 1,000 the batches of 500
      // lines seldom let that happen.)
      const text = [JSON.stringify({ username: 'claimant', email: 'held@example.com' }), ...Array.from({ length: 149 }, () => '{broken')].join('\n');
      const order: number[] = [];
      const kept = importLimits.failuresKept;
      importLimits.failuresKept = 100;
      let report: ImportReport;
      try {
        report = await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli, onFailure: ({ line }) => order.push(line) });
      } finally {
        importLimits.failuresKept = kept;
      }
      assert.equal(report.failedCount, 150);
      assert.deepEqual([order[0], order.at(-1)], [2, 1], 'line 1 was reported last');
      assert.deepEqual(report.failed.map(({ line }) => line), Array.from({ length: 100 }, (_, index) => index + 1));
      assert.equal(report.failed[0]!.reason, 'email: "held@example.com" belongs to the existing user "holder"');
    });

    test('a member of gatehouse-admins is not imported, and the rest of the file is', async () => {
      const administrators = (await services.users.inGroup('gatehouse-admins')).length;
      const text = ['username,groups', 'staffer,staff', 'usurper,"staff; gatehouse-admins"', 'other,admins'].join('\n');
      const report = await importUsers(services, streamOf(text), { format: 'csv', actor: cli });
      assert.deepEqual([report.imported, report.failed.map(({ line, reason }) => [line, reason.split(':')[0]])], [2, [[3, 'groups']]]);
      assert.match(report.failed[0]!.reason, /administrators are made deliberately, in the configuration file or with gatehouse users create/);
      assert.equal(await services.users.findByUsername('usurper'), undefined);
      assert.equal((await services.users.inGroup('gatehouse-admins')).length, administrators);
    });

    test('a stray quote\'s record ending in an error on a later line gives back the lines it took: they import or fail on their own', async () => {
      const text = [
        'username,email,name',
        '"bob,bob@example.com,Bob',
        'carol,carol@example.com,Carol',
        'dave,"dave@x",Dave',
      ].join('\n');
      const report = await importUsers(services, streamOf(text), { format: 'csv', actor: cli });
      assert.deepEqual(report, {
        imported: 1,
        skipped: 0,
        failed: [
          { line: 2, reason: 'line 4, field 1: text after the closing quote (double each quote inside a quoted field)' },
          { line: 4, reason: 'email: Invalid email address' },
        ],
        failedCount: 2,
      });
      assert.equal((await find('carol')).email, 'carol@example.com');
      await services.users.deleteUser(cli, (await find('carol')).id);
    });

    test('a user name or email from the file is quoted in a reason with its control characters escaped', async () => {
      const sneaky = 'sneaky\u001b[2J\u009b31m';
      const { user: owner } = await services.users.createUser(cli, { username: `owner\u0007`, email: 'owned@example.com' });
      const text = jsonl({ username: sneaky }, { username: sneaky }, { username: 'taker', email: 'owned@example.com' });
      const report = await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli });
      assert.deepEqual(report.failed, [
        { line: 2, reason: 'username: "sneaky\\u001b[2J\\u009b31m" is in the file already, on line 1' },
        { line: 3, reason: 'email: "owned@example.com" belongs to the existing user "owner\\u0007"' },
      ]);
      assert.ok(report.failed.every(({ reason }) => !/[\u0000-\u001f\u007f-\u009f]/.test(reason)));
      await services.users.deleteUser(cli, owner.id);
    });

    test('a batch holding the same name or email twice (as when another writer takes one meanwhile) falls back to one user at a time', async () => {
      const outcomes = await services.users.createImportedUsers(cli, [
        { username: 'quinn', email: 'quinn@example.com' },
        { username: 'QUINN' },
        { username: 'rita', email: 'shared@example.com', groups: ['g'] },
        { username: 'sam', email: 'Shared@example.com' },
        { username: 'lena' },
      ]);
      assert.deepEqual(outcomes, [
        { outcome: 'created' },
        { outcome: 'exists' },
        { outcome: 'created' },
        { outcome: 'email_taken', owner: 'rita' },
        { outcome: 'exists' },
      ]);
      assert.deepEqual((await find('rita')).groups, ['g']);
      assert.equal(await services.users.findByUsername('sam'), undefined);
    });

    test('progress is reported every 500 lines or more, once what they held is stored, and at the end', async () => {
      const lines: string[] = [];
      for (let index = 0; index < 1234; index += 1) lines.push(index % 100 === 7 ? '{broken' : JSON.stringify({ username: `progress-${index}` }));
      const calls: ImportProgress[] = [];
      const before = await services.users.count();
      const report = await importUsers(services, streamOf(lines.join('\n')), {
        format: 'jsonl',
        actor: cli,
        onProgress: (done) => calls.push(done),
      });
      assert.deepEqual([report.imported, report.failed.length], [1221, 13]);
      assert.deepEqual(calls.at(-1), { lines: 1234, imported: 1221, failed: 13 });
      assert.ok(calls.length >= 3 && calls.length <= 4, `${calls.length} calls`);
      for (let index = 1; index < calls.length - 1; index += 1) assert.ok(calls[index]!.lines - calls[index - 1]!.lines >= 500);
      assert.ok(calls[0]!.lines >= 500);
      for (const call of calls) assert.ok(call.imported + call.failed <= call.lines && call.imported > 0);
      assert.equal(await services.users.count(), before + 1221);
    });

    test('a CSV header Gatehouse cannot use refuses the file before anything is written', async () => {
      const count = await services.users.count();
      await assert.rejects(
        importUsers(services, streamOf('username,emial\nvera,vera@example.com\n'), { format: 'csv', actor: cli }),
        (error) => isGatehouseError(error) && error.code === 'invalid_request' && /column 2: unknown column "emial"/.test(error.message),
      );
      assert.equal(await services.users.count(), count);
    });

    test('the examples of docs/user-import.md import as the page says', async () => {
      assert.deepEqual(await importUsers(services, streamOf(documented('csv')), { format: 'csv', actor: cli }), { imported: 3, skipped: 0, failed: [], failedCount: 0 });
      const [alice, bob, carol] = [await find('alice'), await find('bob'), await find('carol')];
      assert.deepEqual([alice.profile.name, alice.groups, alice.attributes], ['Smith, Alice', ['engineering', 'admins'], { department: 'R&D', employee_number: '1042' }]);
      assert.ok(alice.passwordHash?.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'));
      assert.deepEqual([bob.profile.name, bob.disabled, bob.passwordHash?.slice(0, 7)], ['Robert "Bob" Jones', false, '$2b$10$']);
      assert.deepEqual([carol.disabled, carol.passwordHash, carol.email], [true, undefined, undefined]);
      for (const user of [alice, bob, carol]) await services.users.deleteUser(cli, user.id);

      assert.deepEqual(await importUsers(services, streamOf(documented('json')), { format: 'jsonl', actor: cli }), { imported: 3, skipped: 0, failed: [], failedCount: 0 });
      assert.deepEqual((await find('alice')).attributes, { department: 'R&D', employee_number: 1042, shells: ['bash', 'zsh'] });
      assert.deepEqual((await find('bob')).profile, { address: { locality: 'Lyon', country: 'FR' } });
      assert.equal((await find('carol')).disabled, true);
    });

    test('an empty file imports nothing', async () => {
      const calls: ImportProgress[] = [];
      for (const format of ['csv', 'jsonl'] as const) {
        assert.deepEqual(await importUsers(services, streamOf(''), { format, actor: cli, onProgress: (done) => calls.push(done) }), { imported: 0, skipped: 0, failed: [], failedCount: 0 });
      }
      assert.deepEqual(calls, [{ lines: 0, imported: 0, failed: 0 }, { lines: 0, imported: 0, failed: 0 }]);
    });
  });
}
