import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { isGatehouseError } from '../../src/errors/gatehouse-error.js';
import { csvRecords } from '../../src/users/import/csv-records.js';
import { csvUsers } from '../../src/users/import/csv-users.js';
import { physicalLines } from '../../src/users/import/physical-lines.js';
import type { SourceRecord } from '../../src/users/import/source-record.js';

/** The input cut into pieces of `chunkBytes`, so that lines, quotes and UTF-8 sequences straddle chunks. */
function streamOf(text: string | Buffer, chunkBytes = 5): Readable {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return Readable.from(chunks);
}

async function usersOf(text: string | Buffer, { chunkBytes = 5, maxLine = 1000, maxRecord = 1000 } = {}): Promise<Array<SourceRecord>> {
  const lines = physicalLines(streamOf(text, chunkBytes), maxLine, { lines: 0 });
  const found: SourceRecord[] = [];
  for await (const record of csvUsers(csvRecords(lines, maxRecord))) found.push(record);
  return found;
}

/** Each record as [line, value] or [line, error]. */
const summary = (records: SourceRecord[]) => records.map((record) => ('error' in record ? [record.line, record.error] : [record.line, record.value]));

async function headerRefusal(text: string): Promise<string> {
  try {
    await usersOf(text);
  } catch (error) {
    assert.ok(isGatehouseError(error) && error.code === 'invalid_request', String(error));
    return error.message;
  }
  assert.fail('the header was accepted');
}

describe('CSV import files are read as RFC 4180, a record at a time', () => {
  test('quoted fields hold commas, doubled quotes and line breaks; the record is numbered by the line it starts on', async () => {
    const text = [
      'username,name,family_name',
      'alice,"Smith, Alice",Smith',
      'bob,"Robert ""Bob"" Tables",""',
      'carol,"two',
      'lines, and ""more""',
      '",Last',
      'dave,,',
    ].join('\r\n');
    assert.deepEqual(summary(await usersOf(text)), [
      [2, { username: 'alice', name: 'Smith, Alice', family_name: 'Smith' }],
      [3, { username: 'bob', name: 'Robert "Bob" Tables' }],
      [4, { username: 'carol', name: 'two\nlines, and "more"\n', family_name: 'Last' }],
      [7, { username: 'dave' }],
    ]);
  });

  test('a byte order mark and CRLF or LF line ends are taken in stride, at every chunk size; empty lines are skipped', async () => {
    const text = '\uFEFFusername,email\r\n\r\nzoë,zoe@example.com\n\nÿann,\r\n';
    for (const chunkBytes of [1, 2, 3, 7, 1000]) {
      assert.deepEqual(summary(await usersOf(text, { chunkBytes })), [
        [3, { username: 'zoë', email: 'zoe@example.com' }],
        [5, { username: 'ÿann' }],
      ], `chunks of ${chunkBytes} bytes`);
    }
    assert.deepEqual(summary(await usersOf('username\nlast-without-newline')), [[2, { username: 'last-without-newline' }]]);
  });

  test('groups are separated by semicolons, booleans are true/false or 1/0, attr. and address. columns build objects', async () => {
    const text = [
      'username,groups,email_verified,disabled,attr.department,attr.__proto__,address.locality,address.country',
      'erin," staff ; admins;;",TRUE,0,Research,x,Lyon,FR',
      'frank,,false,1,,,,',
    ].join('\n');
    const [erin, frank] = await usersOf(text);
    assert.deepEqual(erin && 'value' in erin && erin.value, {
      username: 'erin', groups: ['staff', 'admins'], email_verified: true, disabled: false,
      attributes: Object.fromEntries([['department', 'Research'], ['__proto__', 'x']]), address: { locality: 'Lyon', country: 'FR' },
    });
    assert.deepEqual(frank && 'value' in frank && frank.value, { username: 'frank', email_verified: false, disabled: true });
  });

  test('malformed rows are reported at their first line and reading goes on at the next', async () => {
    const text = [
      'username,name',
      'g"ina,Gina',
      'hank,"Hank" Jr',
      'ivy,"multi',
      'line" oops',
      'jack',
      'kim,Kim,extra',
      'lea,Lea',
      'mo,"never closed',
      'ned,Ned',
      'oz,Oz',
    ].join('\n');
    assert.deepEqual(summary(await usersOf(text)), [
      [2, 'field 1: a quote inside an unquoted field (quote the whole field, and double each quote in it)'],
      [3, 'field 2: text after the closing quote (double each quote inside a quoted field)'],
      [4, 'line 5, field 2: text after the closing quote (double each quote inside a quoted field)'],
      // The record went wrong on a later line: that line is read again, as a record of its own.
      [5, 'field 1: a quote inside an unquoted field (quote the whole field, and double each quote in it)'],
      [6, 'the row has 1 fields where the header has 2'],
      [7, 'the row has 3 fields where the header has 2'],
      [8, { username: 'lea', name: 'Lea' }],
      // The quote is never closed: the lines it took in are read again as the records they are.
      [9, 'a quoted field is never closed: a closing quote is missing'],
      [10, { username: 'ned', name: 'Ned' }],
      [11, { username: 'oz', name: 'Oz' }],
    ]);
  });

  test('a syntax error on a later line of a record gives back the lines after its first, read again as records of their own', async () => {
    const text = [
      'username,email,name',
      '"bob,bob@example.com,Bob',
      'carol,carol@example.com,Carol',
      'dave,"dave@x",Dave',
      'erin,erin@example.com,Erin',
    ].join('\n');
    // Bob's stray quote takes in Carol's line and ends at Dave's, where the text after it is the error.
    assert.deepEqual(summary(await usersOf(text)), [
      [2, 'line 4, field 1: text after the closing quote (double each quote inside a quoted field)'],
      [3, { username: 'carol', email: 'carol@example.com', name: 'Carol' }],
      [4, { username: 'dave', email: 'dave@x', name: 'Dave' }],
      [5, { username: 'erin', email: 'erin@example.com', name: 'Erin' }],
    ]);
  });

  test('an unclosed quote is followed for a bounded number of characters, then the lines after it are read again', async () => {
    const lines = ['username,name', 'pat,"open'];
    for (let index = 0; index < 40; index += 1) lines.push(`user${index},Name ${index}`);
    const records = await usersOf(lines.join('\n'), { maxRecord: 100 });
    assert.deepEqual(summary(records)[0], [2, 'a quoted field is still open after 100 characters: a closing quote is missing']);
    assert.equal(records.length, 41);
    assert.deepEqual(summary(records).at(-1), [42, { username: 'user39', name: 'Name 39' }]);
  });

  test('a line that is too long or not UTF-8 is that line\'s error, also inside a quoted field', async () => {
    const text = Buffer.concat([
      Buffer.from(`username,name\nlong,${'x'.repeat(200)}\nbad,`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\nquoted,"starts\n'),
      Buffer.from([0xff]),
      Buffer.from('"\nfine,Fine\n'),
    ]);
    assert.deepEqual(summary(await usersOf(text, { maxLine: 100 })), [
      [2, 'the line is longer than 100 bytes'],
      [3, 'the line is not valid UTF-8'],
      [4, 'line 5, inside a quoted field: the line is not valid UTF-8'],
      [5, 'the line is not valid UTF-8'],
      [6, { username: 'fine', name: 'Fine' }],
    ]);
  });

  test('an argon2 hash left unquoted splits at its commas, and the error says so', async () => {
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
    assert.deepEqual(summary(await usersOf(`username,password_hash,name\numa,${hash},Uma\nvic,"${hash}",Vic`)), [
      [2, 'the row has 5 fields where the header has 3 (an argon2 hash holds commas: put it in double quotes)'],
      [3, { username: 'vic', password_hash: hash, name: 'Vic' }],
    ]);
  });

  test('a value that is not a boolean is reported naming its column', async () => {
    assert.deepEqual(summary(await usersOf('username,email_verified\nquinn,yes')), [[2, 'email_verified: must be true or false (or 1 or 0)']]);
  });

  test('a header Gatehouse cannot use refuses the whole file, naming the line and column', async () => {
    assert.equal(await headerRefusal('username,emial\nx,y'), 'line 1, column 2: unknown column "emial"; see docs/user-import.md for the columns');
    assert.equal(await headerRefusal('username,password\nx,y'), 'line 1, column 2: clear-text passwords are not imported; give the existing hashes in a password_hash column');
    assert.equal(await headerRefusal('username,email, email\n'), 'line 1, column 3: the column "email" appears twice in the header');
    assert.equal(await headerRefusal('email,name\n'), 'line 1: the header has no username column');
    assert.equal(await headerRefusal('username,"name\n'), 'line 1: the header row is malformed: a quoted field is never closed: a closing quote is missing');
    assert.match(await headerRefusal('{"username":"x"}\n'), /^line 1: the header row is malformed: .* \(this looks like JSON lines: import it as jsonl\)$/);
    assert.match(await headerRefusal('{username:x}\n'), /^line 1, column 1: unknown column "\{username:x}" \(this looks like JSON lines: import it as jsonl\); see/);
    assert.equal(await headerRefusal('username,address.planet\n'), 'line 1, column 2: unknown column "address.planet"; see docs/user-import.md for the columns');
  });

  test('every profile claim of the configuration file is a column, and header names are trimmed', async () => {
    const text = 'username , middle_name,nickname,preferred_username,website,birthdate,phone_number,phone_number_verified,locale\nrae,M,R,rae_s,https://rae.example,1990-01-02,+33 1,1,fr-FR';
    assert.deepEqual(summary(await usersOf(text)), [[2, {
      username: 'rae', middle_name: 'M', nickname: 'R', preferred_username: 'rae_s', website: 'https://rae.example',
      birthdate: '1990-01-02', phone_number: '+33 1', phone_number_verified: true, locale: 'fr-FR',
    }]]);
  });

  test('an empty file has no users', async () => {
    assert.deepEqual(await usersOf(''), []);
  });
});
