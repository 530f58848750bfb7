/*
 * The configuration file's optional `mfa:` section: absent, nothing is declared; present, what
 * it leaves out takes its default (the file owns the whole setting); anything else is refused
 * before anything is stored, naming the field.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDeclarations } from '../../src/setup/config-file.js';
import { configRefusal } from '../helpers/config-refusal.js';

const file = '/etc/gatehouse/gatehouse.yaml';

describe('the configuration file\'s mfa: section', () => {
  test('absent: nothing declared, the policy stays the database\'s', () => {
    assert.equal(parseDeclarations('users: []\n', file).mfa, undefined);
  });

  test('present: its values, and the defaults for what it leaves out', () => {
    assert.deepEqual(parseDeclarations('mfa:\n  policy: required\n  require_for_administrators: true\n', file).mfa, { policy: 'required', require_for_administrators: true });
    assert.deepEqual(parseDeclarations('mfa:\n  require_for_administrators: false\n', file).mfa, { policy: 'optional', require_for_administrators: false });
    assert.deepEqual(parseDeclarations('mfa: {}\n', file).mfa, { policy: 'optional', require_for_administrators: null });
  });

  test('YAML 1.2: `off` is the policy, not false', () => {
    assert.deepEqual(parseDeclarations('mfa:\n  policy: off\n', file).mfa, { policy: 'off', require_for_administrators: null });
  });

  test('a policy it does not know, or an unknown field, is refused naming it', async () => {
    const refusal = (text: string) => configRefusal(() => parseDeclarations(text, file));
    assert.match(await refusal('mfa:\n  policy: sometimes\n'), /mfa\.policy: /);
    assert.match(await refusal('mfa:\n  policy: off\n  remember_devices: true\n'), /mfa: unknown field "remember_devices"/);
    assert.match(await refusal('mfa:\n  require_for_administrators: yes please\n'), /mfa\.require_for_administrators: /);
  });
});
