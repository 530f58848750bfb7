import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { checkPasswordPolicy } from '../../src/users/password-policy.js';

const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
const commonList = dictionary['passwords-common']!;

function brokenRule(password: string, settings = defaultSecuritySettings): string | undefined {
  try {
    checkPasswordPolicy(password, settings);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

test('the shipped common-password list has at least 10,000 entries, and every one long enough is refused', () => {
  assert.ok(commonList.length >= 10000, `${commonList.length} entries`);
  const permissive = { ...defaultSecuritySettings, passwordMinLength: 8 };
  const candidates = commonList.filter((p) => [...p].length >= 8);
  const accepted = candidates.filter((p) => brokenRule(p, permissive) === undefined);
  assert.deepEqual(accepted, []);
  assert.match(brokenRule('Password1234')!, /list of commonly used passwords/, 'the list ignores case');
});

test('lengths count characters after NFKC normalization, and the message names the limit', () => {
  assert.equal(brokenRule('ｆｕｌｌｗｉｄｔｈ ｐａｓｓ'), undefined);
  assert.match(brokenRule('ä'.repeat(6) + 'x'.repeat(5))!, /at least 12 characters/);
  assert.equal(brokenRule('🦊 fox den lair'), undefined, 'an emoji is one character');
  assert.match(brokenRule('a'.repeat(200) + 'b'.repeat(57))!, /at most 256 characters/);
});

test('no composition rules: a long lower-case passphrase is fine; a repeated short unit is not', () => {
  assert.equal(brokenRule('purple elephants dance quietly'), undefined);
  assert.equal(brokenRule('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzza'), undefined);
  for (const repeated of ['aaaaaaaaaaaa', 'abababababab', '123412341234', 'xyzxyzxyzxyz']) {
    assert.match(brokenRule(repeated)!, /one short sequence of characters repeated/, repeated);
  }
});
