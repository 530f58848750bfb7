import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { isGatehouseError } from '../../src/errors/gatehouse-error.js';
import type { Actor } from '../../src/runtime/actor.js';
import type { Services } from '../../src/services.js';
import { importUsers, type ImportProgress } from '../../src/users/import/import-users.js';
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
      assert.deepEqual(report, { imported: 3, skipped: 0, failed: [] });
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
      assert.deepEqual(await importUsers(services, streamOf(`${text}\n\n`), { format: 'jsonl', actor: cli }), { imported: 2, skipped: 0, failed: [] });
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
      assert.deepEqual(await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli }), { imported: 1, skipped: 1, failed: expectedFailures });
      assert.deepEqual(await services.users.findById(kate.id), kate, 'the declared user is exactly as it was');
      assert.equal(await services.users.findByUsername('mia'), undefined);
      // Run again (an import that stopped half-way, say): what was imported is skipped.
      assert.deepEqual(await importUsers(services, streamOf(text), { format: 'jsonl', actor: cli }), { imported: 0, skipped: 2, failed: expectedFailures });
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
      assert.deepEqual(await importUsers(services, streamOf(documented('csv')), { format: 'csv', actor: cli }), { imported: 3, skipped: 0, failed: [] });
      const [alice, bob, carol] = [await find('alice'), await find('bob'), await find('carol')];
      assert.deepEqual([alice.profile.name, alice.groups, alice.attributes], ['Smith, Alice', ['engineering', 'admins'], { department: 'R&D', employee_number: '1042' }]);
      assert.ok(alice.passwordHash?.startsWith('$argon2id$v=19$m=19456,t=2,p=1$'));
      assert.deepEqual([bob.profile.name, bob.disabled, bob.passwordHash?.slice(0, 7)], ['Robert "Bob" Jones', false, '$2b$10$']);
      assert.deepEqual([carol.disabled, carol.passwordHash, carol.email], [true, undefined, undefined]);
      for (const user of [alice, bob, carol]) await services.users.deleteUser(cli, user.id);

      assert.deepEqual(await importUsers(services, streamOf(documented('json')), { format: 'jsonl', actor: cli }), { imported: 3, skipped: 0, failed: [] });
      assert.deepEqual((await find('alice')).attributes, { department: 'R&D', employee_number: 1042, shells: ['bash', 'zsh'] });
      assert.deepEqual((await find('bob')).profile, { address: { locality: 'Lyon', country: 'FR' } });
      assert.equal((await find('carol')).disabled, true);
    });

    test('an empty file imports nothing', async () => {
      const calls: ImportProgress[] = [];
      for (const format of ['csv', 'jsonl'] as const) {
        assert.deepEqual(await importUsers(services, streamOf(''), { format, actor: cli, onProgress: (done) => calls.push(done) }), { imported: 0, skipped: 0, failed: [] });
      }
      assert.deepEqual(calls, [{ lines: 0, imported: 0, failed: 0 }, { lines: 0, imported: 0, failed: 0 }]);
    });
  });
}
