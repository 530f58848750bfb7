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

/** The rule a password broke, by a stable code a page can translate, with the numbers its message names. */
export type PasswordRuleBroken =
  | { rule: 'tooShort'; min: number }
  | { rule: 'tooLong'; max: number }
  | { rule: 'common' }
  | { rule: 'repeats' };

/** The English of each rule, for the management API, the CLI and the configuration file's errors. */
function englishOf(broken: PasswordRuleBroken): string {
  switch (broken.rule) {
    case 'tooShort': return `the password must be at least ${broken.min} characters long`;
    case 'tooLong': return `the password must be at most ${broken.max} characters long`;
    case 'common': return 'the password is on the list of commonly used passwords; choose one that is not';
    case 'repeats': return 'the password must not be one short sequence of characters repeated';
  }
}

/** A password_policy refusal that also says which rule, so that a page words it in its own language instead of reading the English. */
export class PasswordPolicyError extends GatehouseError {
  readonly broken: PasswordRuleBroken;

  constructor(broken: PasswordRuleBroken) {
    super('password_policy', englishOf(broken));
    this.broken = broken;
  }
}

/**
 * NIST SP 800-63B §3.1.1.2: a minimum and a maximum length and a blocklist of commonly used and
 * expected passwords, and no composition rules (no "one digit, one symbol"). Lengths count
 * Unicode characters after NFKC normalization; the blocklist ignores case.
 * Throws a PasswordPolicyError naming the rule the password broke.
 */
export function checkPasswordPolicy(password: string, settings: PasswordPolicySettings): void {
  const characters = [...password.normalize('NFKC')];
  if (characters.length < settings.passwordMinLength) throw new PasswordPolicyError({ rule: 'tooShort', min: settings.passwordMinLength });
  if (characters.length > settings.passwordMaxLength) throw new PasswordPolicyError({ rule: 'tooLong', max: settings.passwordMaxLength });
  if (isCommonPassword(characters.join('').toLowerCase())) throw new PasswordPolicyError({ rule: 'common' });
  if (isShortUnitRepeated(characters)) throw new PasswordPolicyError({ rule: 'repeats' });
}
