import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { defaults } from '../../src/config/defaults.js';
import { checkRecord, quoted } from '../../src/users/import/check-record.js';
import { jsonlUsers } from '../../src/users/import/jsonl-users.js';
import { physicalLines } from '../../src/users/import/physical-lines.js';
import type { SourceRecord } from '../../src/users/import/source-record.js';

const bcryptHash = bcrypt.hashSync('an old bcrypt password', 4);
const argon2 = (algorithm: number) => argon2Hash('an old argon2 password', { algorithm: algorithm as Algorithm, memoryCost: 1024, timeCost: 1 });

async function jsonlOf(text: string): Promise<Array<SourceRecord>> {
  const found: SourceRecord[] = [];
  for await (const record of jsonlUsers(physicalLines(Readable.from([Buffer.from(text)]), 1000, { lines: 0 }))) found.push(record);
  return found;
}

/** Why a record is refused; fails when it is accepted. */
function reason(value: Record<string, unknown>): string {
  const checked = checkRecord(value);
  assert.ok('reason' in checked, `accepted: ${JSON.stringify(value)}`);
  return checked.reason;
}

describe('JSON lines import files', () => {
  test('one object per line; blank lines are skipped; a line that is not a JSON object is reported without quoting it', async () => {
    const text = [
      '{"username":"alice","groups":["a"],"attributes":{"level":3}}',
      '',
      '   ',
      '{"username":"bob", "password_hash": "$2b$04$secretsecret',
      '["carol"]',
      'null',
      '\uFEFF{"username":"dan"}',
      '{"username":"eve"}',
    ].join('\r\n');
    const records = await jsonlOf(`\uFEFF${text}`);
    // Where JSON.parse stopped is V8's to say (and it does not always): only the start of the reason is certain.
    const summary = records.map((record) => ('error' in record ? [record.line, record.error.replace(/ \(at character \d+\)$/, '')] : [record.line, record.value]));
    assert.deepEqual(summary, [
      [1, { username: 'alice', groups: ['a'], attributes: { level: 3 } }],
      [4, 'not valid JSON'],
      [5, 'not a JSON object: each line holds one user, as {"username": "…", …}'],
      [6, 'not a JSON object: each line holds one user, as {"username": "…", …}'],
      // A byte order mark is one only at the start of the file.
      [7, 'not valid JSON'],
      [8, { username: 'eve' }],
    ]);
    assert.ok(records.every((record) => !('error' in record) || !record.error.includes('secret')));
  });
});

describe('each record is checked with the configuration file\'s rules for users', () => {
  test('a complete record becomes the user the configuration file would declare', async () => {
    const hash = await argon2(2);
    const checked = checkRecord({
      username: ' Alice ', email: 'Alice@Example.COM', password_hash: hash, name: 'Alice', given_name: 'A', family_name: 'L',
      email_verified: true, groups: ['staff'], disabled: true, attributes: { level: 3, tags: ['x'], ok: false, team: 'blue' },
      address: { locality: 'Lyon' },
    });
    assert.ok('candidate' in checked);
    assert.deepEqual(checked.candidate, {
      username: 'alice',
      email: 'alice@example.com',
      user: {
        username: ' Alice ', email: 'Alice@Example.COM', credential: { importedHash: hash },
        profile: { name: 'Alice', given_name: 'A', family_name: 'L', email_verified: true, address: { locality: 'Lyon' } },
        groups: ['staff'], disabled: true, attributes: { level: 3, tags: ['x'], ok: false, team: 'blue' },
      },
    });
    const bare = checkRecord({ username: 'bob' });
    assert.ok('candidate' in bare);
    assert.deepEqual(bare.candidate.user, { username: 'bob', email: undefined, profile: {}, groups: [], attributes: {}, disabled: false });
  });

  test('argon2id, argon2i, argon2d and bcrypt $2a$, $2b$, $2y$ hashes are accepted', async () => {
    for (const hash of [await argon2(0), await argon2(1), await argon2(2), bcryptHash, bcryptHash.replace('$2b$', '$2a$'), bcryptHash.replace('$2b$', '$2y$')]) {
      assert.ok('candidate' in checkRecord({ username: 'u', password_hash: hash }), hash.slice(0, 10));
    }
  });

  test('a hash in neither format, or cut short, is refused naming password_hash; a clear-text password is refused', async () => {
    const argon = await argon2(2);
    assert.equal(reason({ username: 'u', password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' }), 'password_hash: must be an argon2 ($argon2id$...) or bcrypt ($2b$...) hash');
    assert.equal(reason({ username: 'u', password_hash: '$1$salt$hash' }), 'password_hash: must be an argon2 ($argon2id$...) or bcrypt ($2b$...) hash');
    for (const mangled of [bcryptHash.slice(0, -1), bcryptHash.replace('$04$', '$4$'), argon.slice(0, argon.lastIndexOf('$')), argon.replace(',p=1', ''), `${argon} `]) {
      assert.match(reason({ username: 'u', password_hash: mangled }), /^password_hash: not a complete argon2 hash/, mangled);
    }
    assert.equal(reason({ username: 'u', password_hash: bcryptHash.replace('$04$', '$03$') }), 'password_hash: a bcrypt cost below 04 is not a bcrypt hash');
    assert.equal(reason({ username: 'u', password: 'hunter2hunter2' }), 'password: clear-text passwords are not imported; give the existing hash as password_hash');
  });

  test('an argon2 hash cut in its body, or with a salt, version or parameters no argon2 hash has, is refused naming password_hash', () => {
    // A whole hash, fixed so that every cut below is the same at every run: 11 characters of salt (8 bytes), 43 of hash (32 bytes).
    const [salt, body] = ['c29tZXNhbHQ', 'ZNVSTkRU0fYh8Q1V6mP7d1fX5Q0D0Rf9cB6pYJv3Hko'];
    const whole = (parameters: string, saltPart = salt, bodyPart = body) => `$argon2id$${parameters}$${saltPart}$${bodyPart}`;
    assert.ok('candidate' in checkRecord({ username: 'u', password_hash: whole('v=19$m=19456,t=2,p=1') }));
    const cutBody = /^password_hash: the argon2 output \(the last part\) is not unpadded base64 of at least 16 bytes: the hash was cut short or mangled$/;
    // 21 characters are 15 bytes; 41 characters are no number of bytes; a last character with bits beyond the bytes set is not how the verifier reads base64.
    for (const cut of [body.slice(0, 21), body.slice(0, 6), body.slice(0, 41), `${body.slice(0, -1)}B`]) {
      assert.match(reason({ username: 'u', password_hash: whole('v=19$m=19456,t=2,p=1', salt, cut) }), cutBody, cut);
    }
    assert.match(reason({ username: 'u', password_hash: whole('v=19$m=19456,t=2,p=1', 'abc') }), /^password_hash: the argon2 salt \(the part after p=…\$\) is not unpadded base64 of at least 8 bytes: /);
    assert.match(reason({ username: 'u', password_hash: whole('v=19$m=19456,t=2,p=1', salt.slice(0, 10)) }), /^password_hash: the argon2 salt /, '10 characters are 7 bytes');
    assert.equal(
      reason({ username: 'u', password_hash: whole('v=19$m=0,t=0,p=0') }),
      'password_hash: argon2 parameters m=0,t=0,p=0 are not valid: t and p are at least 1, and m at least 8 KiB per lane (8×p)',
    );
    for (const parameters of ['v=19$m=15,t=1,p=2', 'v=19$m=19456,t=0,p=1', 'v=19$m=19456,t=2,p=0']) {
      assert.match(reason({ username: 'u', password_hash: whole(parameters) }), /^password_hash: argon2 parameters m=\d+,t=\d+,p=\d+ are not valid/, parameters);
    }
    assert.equal(reason({ username: 'u', password_hash: whole('v=99$m=19456,t=2,p=1') }), 'password_hash: argon2 version v=99 does not exist: v=19 (1.3) or v=16 (1.0)');
    assert.match(reason({ username: 'u', password_hash: whole('v=19$m=019456,t=2,p=1') }), /^password_hash: not a complete argon2 hash/, 'a leading zero');
    // The least of each that is accepted: version 1.0 with or without v=, m=8×p, a salt of 8 bytes and a hash of 16.
    for (const hash of [whole('v=16$m=16,t=1,p=2'), whole('m=8,t=1,p=1'), whole('v=19$m=8,t=1,p=1', salt, body.slice(0, 22).replace(/.$/, 'A'))]) {
      assert.ok('candidate' in checkRecord({ username: 'u', password_hash: hash }), hash);
    }
  });

  test('a hash that would make every sign-in attempt too costly is refused; the costliest accepted are', async () => {
    assert.equal(reason({ username: 'u', password_hash: bcryptHash.replace('$04$', '$15$') }), 'password_hash: a bcrypt cost of 15 is more than the 14 every sign-in attempt could afford');
    assert.ok('candidate' in checkRecord({ username: 'u', password_hash: bcryptHash.replace('$04$', '$14$') }));
    const argon = await argon2(2);
    const tooCostly = 'password_hash: argon2 parameters above m=262144,t=10,p=16, more than every sign-in attempt could afford';
    for (const parameters of ['m=4194304,t=1,p=1', 'm=1024,t=11,p=1', 'm=1024,t=1,p=17']) {
      assert.equal(reason({ username: 'u', password_hash: argon.replace('m=1024,t=1,p=1', parameters) }), tooCostly, parameters);
    }
    assert.ok('candidate' in checkRecord({ username: 'u', password_hash: argon.replace('m=1024,t=1,p=1', 'm=262144,t=10,p=16') }));
  });

  test('a member of gatehouse-admins is not imported: administrators are made deliberately', () => {
    const refusal = reason({ username: 'mallory', groups: ['staff', defaults.administratorsGroup] });
    assert.match(refusal, /^groups: "gatehouse-admins" is not imported: administrators are made deliberately, /);
    assert.match(refusal, /in the configuration file or with gatehouse users create --group gatehouse-admins, not by migrating password hashes$/);
    // Only that group: one like it is an ordinary group.
    assert.ok('candidate' in checkRecord({ username: 'ivan', groups: ['gatehouse-admins-readonly', 'admins'] }));
  });

  test('a name from the file is quoted with every control character escaped, so that none reaches a terminal', () => {
    assert.equal(reason({ username: 'u', 'colour\u001b[2J\u009b': 'x' }), 'unknown field "colour\\u001b[2J\\u009b"');
    assert.equal(reason({ username: 'u', attributes: { 'team\u001b]0;x\u0007\u202e': { name: 'x' } } }), 'attributes["team\\u001b]0;x\\u0007\\u202e"]: must be a string, a number, true or false, or a list of strings');
    assert.equal(reason({ username: 'u', attributes: { 'team name': { name: 'x' } } }), 'attributes["team name"]: must be a string, a number, true or false, or a list of strings');
    assert.equal(quoted('ali\u001bce\u007f\u0085\u2066'), '"ali\\u001bce\\u007f\\u0085\\u2066"');
  });

  test('every other refusal names the field, and more than three problems are counted', () => {
    assert.equal(reason({ email: 'x@example.com' }), 'username: required');
    assert.equal(reason({ username: '' }), 'username: required');
    assert.equal(reason({ username: '   ' }), 'username: blank');
    assert.equal(reason({ username: 'u', email: 'not-an-email' }), 'email: Invalid email address');
    assert.equal(reason({ username: 'u', nickname: 'x', colour: 'blue' }), 'unknown field "colour"');
    assert.equal(reason({ username: 'u', address: { planet: 'Mars' } }), 'address: unknown field "planet"');
    assert.equal(reason({ username: 'u', groups: 'staff' }), 'groups: Invalid input: expected array, received string');
    assert.equal(reason({ username: 'u', groups: ['ok', ''] }), 'groups[1]: Too small: expected string to have >=1 characters');
    assert.equal(reason({ username: 'u', attributes: { team: { name: 'x' } } }), 'attributes.team: must be a string, a number, true or false, or a list of strings');
    assert.equal(reason({ username: 'u', disabled: 'yes' }), 'disabled: Invalid input: expected boolean, received string');
    assert.equal(reason({ username: 'x'.repeat(101) }), 'username: Too big: expected string to have <=100 characters');
    assert.equal(reason({ username: 'u', name: 'a\u0000b' }), '"name": contains a NUL character (U+0000)');
    assert.equal(reason({ username: 'u', attributes: { 'k\u0000': 'v' } }), '"attributes": contains a NUL character (U+0000)');
    assert.equal(
      reason({ username: 'u', email: 'bad', picture: 'not a url', birthdate: 'May', locale: 'x'.repeat(50) }),
      'picture: Invalid URL; birthdate: must be YYYY or YYYY-MM-DD; locale: Too big: expected string to have <=35 characters; and 1 more',
    );
  });

  test('what the users table cannot hold is refused, not left to fail a whole batch', () => {
    // U+FDFA becomes 18 characters in NFKC: 12 of them are 216 characters compared.
    assert.equal(reason({ username: '\uFDFA'.repeat(12) }), 'username: longer than 200 characters once normalized');
    assert.equal(reason({ username: 'u', email: `${'a'.repeat(64)}@${'b'.repeat(250)}.${'c'.repeat(10)}` }), 'email: longer than 320 characters');
  });
});
