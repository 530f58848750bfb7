/* What an event may bring into a row: every text capped, the details bounded and marked when cut. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditRow, storableDetails } from '../../src/audit/audit-event.js';
import { defaults } from '../../src/config/defaults.js';

const { maxTextChars, maxDetailsBytes } = defaults.audit;

test('every text column of a row keeps at most the cap, cut ones ending with an ellipsis', () => {
  const long = 'z'.repeat(6000);
  const row = auditRow({
    type: 'sign_in.failed', actor: { kind: 'api', subject: long }, reason: long, userId: long, clientId: long, connectionId: long, clientAddress: long,
  }, 'id-1', 0);
  for (const column of ['reason', 'actor_id', 'user_id', 'client_id', 'connection_id', 'client_address'] as const) {
    assert.equal(row[column]!.length, maxTextChars, column);
    assert.ok(row[column]!.endsWith('…'), column);
  }
  assert.equal(auditRow({ type: 'sign_in.failed', actor: { kind: 'anonymous' }, connectionId: 'okta' }, 'id-2', 0).connection_id, 'okta');
});

test('a cut never splits a surrogate pair', () => {
  const cut = JSON.parse(storableDetails({ message: '😀'.repeat(1000) })) as { message: string };
  assert.ok(cut.message.length <= maxTextChars);
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut.message), 'no lone high surrogate');
});

test('details within the bound are stored as they are, without a mark', () => {
  const details = { method: 'jwt', detail: 'the token expired', before: { username: 'ann', groups: ['a', 'b'] } };
  assert.deepEqual(JSON.parse(storableDetails(details)), details);
});

test('details past the bound keep what fits, at most the bound, and say truncated', () => {
  const details = { method: 'oidc', message: 'x'.repeat(5000), after: Object.fromEntries(Array.from({ length: 200 }, (_, n) => [`field_${n}`, `value ${n} `.repeat(20)])) };
  const stored = storableDetails(details);
  assert.ok(Buffer.byteLength(stored) <= maxDetailsBytes, `${Buffer.byteLength(stored)} bytes`);
  const parsed = JSON.parse(stored) as Record<string, unknown>;
  assert.equal(parsed.truncated, true);
  assert.equal(parsed.method, 'oidc');
  assert.equal(String(parsed.message).length, maxTextChars);
  assert.ok(Object.keys(parsed.after as object).length > 0, 'the fields that fit are kept');
});

test('a long array keeps its leading elements within the bound', () => {
  const stored = storableDetails({ clients: Array.from({ length: 5000 }, (_, n) => `client-${n}`) });
  assert.ok(Buffer.byteLength(stored) <= maxDetailsBytes);
  const parsed = JSON.parse(stored) as { clients: string[]; truncated: boolean };
  assert.equal(parsed.truncated, true);
  assert.deepEqual(parsed.clients.slice(0, 2), ['client-0', 'client-1']);
});
