import { createRequire } from 'node:module';
import type { SecuritySettings } from '../config/security-settings.js';
import { GatehouseError } from '../errors/gatehouse-error.js';

/**
 * The common-password list: the `passwords-common` dictionary of @zxcvbn-ts/language-common
 * (MIT, maintained by the zxcvbn-ts project): the 49,233 passwords, lower-cased, that occur more
 * than ten times in Mark Burnett's ten-million-password corpus (xato.net). Loaded on first use,
 * since decompressing it takes a tenth of a second.
 */
let commonPasswords: Set<string> | undefined;

function isCommonPassword(candidate: string): boolean {
  if (!commonPasswords) {
    const require = createRequire(import.meta.url);
    const { dictionary } = require('@zxcvbn-ts/language-common') as { dictionary: Record<'passwords-common', string[]> };
    commonPasswords = new Set(dictionary['passwords-common']);
  }
  return commonPasswords.has(candidate);
}

/** "abcabcabcabc", "aaaaaaaaaaaa": a short unit repeated is as guessable as the unit itself. */
function isShortUnitRepeated(characters: string[]): boolean {
  for (let unit = 1; unit <= 4 && unit * 2 <= characters.length; unit += 1) {
    if (characters.length % unit === 0 && characters.every((c, i) => c === characters[i % unit])) return true;
  }
  return false;
}

export type PasswordPolicySettings = Pick<SecuritySettings, 'passwordMinLength' | 'passwordMaxLength'>;

/**
 * NIST SP 800-63B §3.1.1.2: a minimum and a maximum length and a blocklist of commonly used and
 * expected passwords, and no composition rules (no "one digit, one symbol"). Lengths count
 * Unicode characters after NFKC normalization; the blocklist ignores case.
 * Throws a password_policy error whose message names the rule the password broke.
 */
export function checkPasswordPolicy(password: string, settings: PasswordPolicySettings): void {
  const characters = [...password.normalize('NFKC')];
  if (characters.length < settings.passwordMinLength) {
    throw new GatehouseError('password_policy', `the password must be at least ${settings.passwordMinLength} characters long`);
  }
  if (characters.length > settings.passwordMaxLength) {
    throw new GatehouseError('password_policy', `the password must be at most ${settings.passwordMaxLength} characters long`);
  }
  if (isCommonPassword(characters.join('').toLowerCase())) {
    throw new GatehouseError('password_policy', 'the password is on the list of commonly used passwords; choose one that is not');
  }
  if (isShortUnitRepeated(characters)) {
    throw new GatehouseError('password_policy', 'the password must not be one short sequence of characters repeated');
  }
}
