import type { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import { normalizeIdentifier } from '../normalize.js';
import type { ImportedUser } from '../user-service.js';
import { userInputSchema } from '../user-schema.js';

/** A record that passed every check: the user to create, and its user name and email as compared. */
export interface ImportCandidate {
  user: ImportedUser;
  username: string;
  email: string | undefined;
}

/**
 * A value from the file as a message shows it: in JSON's quotes and escapes, and with the control
 * characters JSON leaves as they are (DEL, C1 such as U+009B, which some terminals read as an
 * escape sequence) and the bidirectional controls escaped too, so that none reaches a terminal.
 */
export function quoted(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A field's path as a message names it: `attributes.team`, `groups[1]`; a key from the file that is not a plain name is quoted, `attributes["a b"]`. */
function pathOf(path: PropertyKey[]): string {
  return path.map((key, index) => {
    if (typeof key === 'number') return `[${key}]`;
    const name = String(key);
    if (!/^[A-Za-z0-9_-]+$/.test(name)) return `[${quoted(name)}]`;
    return index === 0 ? name : `.${name}`;
  }).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = pathOf(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map(quoted).join(', ');
    return path ? `${path}: unknown field ${fields}` : `unknown field ${fields}`;
  }
  if (issue.code === 'invalid_union' && issue.path[0] === 'attributes') return `${path}: must be a string, a number, true or false, or a list of strings`;
  return `${path || 'record'}: ${issue.message}`;
}

/** The first field holding U+0000, which PostgreSQL cannot store in text. */
function fieldWithNul(value: Record<string, unknown>): string | undefined {
  return Object.keys(value).find((key) => key.includes('\u0000') || JSON.stringify(value[key] ?? null).includes('\\u0000'));
}

/**
 * Gatehouse's administrators are whom an operator names, knowingly, one by one; a column of a
 * spreadsheet from another system must not make anyone one (and with a hash Gatehouse has never
 * seen the password of).
 */
const administratorRefusal = `groups: ${quoted(defaults.administratorsGroup)} is not imported: administrators are made deliberately, `
  + `in the configuration file or with gatehouse users create --group ${defaults.administratorsGroup}, not by migrating password hashes`;

/**
 * Checks a record with the configuration file's rules for users (src/users/user-schema.ts, the
 * password hash's whole form and cost included, values the users table can hold), plus what an
 * import adds: no clear-text password, no administrator. The reason names the field.
 */
export function checkRecord(value: Record<string, unknown>): { candidate: ImportCandidate } | { reason: string } {
  if ('password' in value) return { reason: 'password: clear-text passwords are not imported; give the existing hash as password_hash' };
  if (value.username === undefined || value.username === '') return { reason: 'username: required' };
  const nul = fieldWithNul(value);
  if (nul !== undefined) return { reason: `${quoted(nul)}: contains a NUL character (U+0000)` };
  const parsed = userInputSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > 3 ? `; and ${issues.length - 3} more` : '';
    return { reason: issues.slice(0, 3).map(describeIssue).join('; ') + more };
  }
  const { username, email, password_hash: importedHash, groups, attributes, disabled, password: _none, ...profile } = parsed.data;
  if (groups.includes(defaults.administratorsGroup)) return { reason: administratorRefusal };
  // The schema refused what the users table cannot hold (PostgreSQL would refuse it in a way that stops the whole batch).
  const normalizedUsername = normalizeIdentifier(username);
  const normalizedEmail = email === undefined ? undefined : normalizeIdentifier(email);
  const user: ImportedUser = { username, email, profile, groups, attributes, disabled };
  if (importedHash !== undefined) user.credential = { importedHash };
  return { candidate: { user, username: normalizedUsername, email: normalizedEmail } };
}
