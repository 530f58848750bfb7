import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, test } from 'node:test';
import { accountFailureReasons, auditEventTypes, passwordFailureReasons, secondFactorFailureReasons } from '../../src/audit/audit-event-types.js';
import { parseDeclarations } from '../../src/setup/config-file.js';

interface DocumentedType {
  type: string;
  outcome: string;
  when: string;
  carries: string;
}

/** The rows of the event type table in docs/audit.md: a `type.name`, its outcome, when, what it carries. */
function documentedTypes(markdown: string): DocumentedType[] {
  return markdown
    .split('\n')
    .map((line) => /^\|\s*`([a-z_]+\.[a-z_]+)`\s*\|\s*(success|failure)\s*\|(.*)\|(.*)\|\s*$/.exec(line))
    .filter((match) => match !== null)
    .map(([, type, outcome, when, carries]) => ({ type: type!, outcome: outcome!, when: when!.trim(), carries: carries!.trim() }));
}

/** The reasons in the first column of the "Why a sign-in failed" table. */
function documentedReasons(markdown: string): string[] {
  const section = markdown.split('### Why a sign-in failed')[1]?.split('\n#')[0] ?? '';
  return section.split('\n').map((line) => /^\|\s*`([a-z_]+)`\s*\|/.exec(line)?.[1]).filter((reason) => reason !== undefined);
}

describe('audit event types and docs/audit.md agree', () => {
  let markdown: string;
  let rows: DocumentedType[];

  before(async () => {
    markdown = await readFile(new URL('../../docs/audit.md', import.meta.url), 'utf8');
    rows = documentedTypes(markdown);
  });

  test('the table is found', () => {
    assert.ok(rows.length > 0, 'docs/audit.md has a table of `type` | outcome | when | carries rows');
  });

  test('every type is documented once, with its outcome, when it is recorded and what it carries', () => {
    for (const [type, outcome] of Object.entries(auditEventTypes)) {
      const matching = rows.filter((row) => row.type === type);
      assert.equal(matching.length, 1, `${type} has exactly one row in docs/audit.md`);
      assert.equal(matching[0]!.outcome, outcome, `${type}: the documented outcome is the one in src/audit/audit-event-types.ts`);
      assert.ok(matching[0]!.when.length > 0 && matching[0]!.carries.length > 0, `${type}: when and what it carries are filled in`);
    }
  });

  test('no documented type is stale', () => {
    assert.deepEqual(rows.map((row) => row.type).filter((type) => !(type in auditEventTypes)), [], 'types in docs/audit.md that the code no longer has');
  });

  test('every reason a password or an account rule refuses with is explained', () => {
    const reasons = documentedReasons(markdown);
    assert.deepEqual([...passwordFailureReasons, ...secondFactorFailureReasons, ...accountFailureReasons].filter((reason) => !reasons.includes(reason)), []);
  });
});

describe('the audit: section of the configuration file', () => {
  const parse = (text: string) => parseDeclarations(text, 'gatehouse.yaml');

  test('retention_days is 90 unless set', () => {
    assert.equal(parse('users: []\n').audit.retentionDays, 90);
    assert.equal(parse('audit:\n  retention_days: 400\n').audit.retentionDays, 400);
  });

  test('a retention that is not a whole number of days from 1 to 3650, or an unknown field, stops the start naming the setting', () => {
    for (const [value, problem] of [['0', /too small/i], ['3651', /too big/i], ['1.5', /expected int/i], ['"ninety"', /number/i]] as const) {
      assert.throws(() => parse(`audit:\n  retention_days: ${value}\n`), (error: Error) => /audit\.retention_days: /.test(error.message) && problem.test(error.message), value);
    }
    assert.throws(() => parse('audit:\n  retention: 30\n'), /audit: unknown field "retention"/);
  });
});
