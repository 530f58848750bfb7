import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, test } from 'node:test';
import { errorCodes } from '../../src/errors/codes.js';

interface DocumentedCode {
  code: string;
  status: number;
  meaning: string;
  action: string;
}

/** The rows of the table in docs/errors.md whose first cell is a `code`. */
function documentedCodes(markdown: string): DocumentedCode[] {
  return markdown
    .split('\n')
    .map((line) => /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|(.*)\|(.*)\|\s*$/.exec(line))
    .filter((match) => match !== null)
    .map(([, code, status, meaning, action]) => ({ code: code!, status: Number(status), meaning: meaning!.trim(), action: action!.trim() }));
}

describe('error codes and docs/errors.md agree', () => {
  let rows: DocumentedCode[];

  before(async () => {
    rows = documentedCodes(await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8'));
  });

  test('the table is found', () => {
    assert.ok(rows.length > 0, 'docs/errors.md has a table of `code` | status | meaning | action rows');
  });

  test('every code is documented once, with its HTTP status, a meaning and what to do', () => {
    for (const [code, { status }] of Object.entries(errorCodes)) {
      const matching = rows.filter((row) => row.code === code);
      assert.equal(matching.length, 1, `${code} has exactly one row in docs/errors.md`);
      assert.equal(matching[0]!.status, status, `${code}: the documented status is the one in src/errors/codes.ts`);
      assert.ok(matching[0]!.meaning.length > 0 && matching[0]!.action.length > 0, `${code}: meaning and action are filled in`);
    }
  });

  test('no documented code is stale', () => {
    const stale = rows.map((row) => row.code).filter((code) => !(code in errorCodes));
    assert.deepEqual(stale, [], 'codes in docs/errors.md that src/errors/codes.ts no longer has');
  });
});

/** The codes in the Code column of the "Usual errors" table of docs/connections/generic-oidc.md. */
function guideCodes(markdown: string): string[] {
  const section = markdown.split('## Usual errors')[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .map((line) => /^\|[^|]*\|\s*`([a-z_]+)`\s*\|/.exec(line)?.[1])
    .filter((code) => code !== undefined);
}

describe('the connection guide\'s usual errors name the codes of src/errors/codes.ts', () => {
  let named: string[];

  before(async () => {
    named = guideCodes(await readFile(new URL('../../docs/connections/generic-oidc.md', import.meta.url), 'utf8'));
  });

  test('every code it names exists', () => {
    assert.ok(named.length > 0, 'the Usual errors table has a Code column');
    assert.deepEqual(named.filter((code) => !(code in errorCodes)), [], 'codes in the guide that src/errors/codes.ts does not have');
  });

  test('every code of the upstream sign-in\'s failure page is in it', () => {
    const signInCodes = Object.keys(errorCodes).filter((code) => /^(upstream_|detour_)/.test(code) || code === 'connection_unavailable' || code === 'test_link_invalid');
    assert.deepEqual(signInCodes.filter((code) => !named.includes(code)), [], 'codes the failure page shows that the guide does not explain');
  });
});
