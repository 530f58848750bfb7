import type { z } from 'zod';
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
 * Hashes @node-rs/argon2 and bcryptjs verify: the PHC string of argon2 (version optional,
 * exactly the m, t and p parameters, salt and hash in unpadded base64) and the modular crypt
 * format of bcrypt (cost 04-31, 22 characters of salt and 31 of hash). The configuration file
 * checks the prefix only; an import checks the whole, since a mangled hash (cut short by a
 * spreadsheet, say) would leave the user unable to sign in, with nothing said.
 */
const argon2Hash = /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const bcryptHash = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * The most a hash may cost to verify. Every sign-in attempt as the user verifies at the cost
 * the hash states, wrong passwords and anyone's attempts included, until a right one replaces
 * it: a bcrypt cost of 31 would take days, and m=4194304 would take 4 GiB of memory, per
 * attempt. bcrypt 14 takes about 2 s here (bcryptjs), argon2 with 256 MiB about 1.5 s; real
 * systems use less (bcrypt 10 to 12; OWASP's argon2id is 19 MiB).
 */
export const hashCostLimits = { bcryptCost: 14, argon2MemoryKib: 262_144, argon2Iterations: 10, argon2Parallelism: 16 };

/** Why an imported hash cannot be used, or undefined when it can. */
function hashProblem(hash: string): string | undefined {
  const bcrypt = bcryptHash.exec(hash);
  if (bcrypt) {
    const cost = Number(bcrypt[1]);
    if (cost < 4) return 'password_hash: a bcrypt cost below 04 is not a bcrypt hash';
    return cost > hashCostLimits.bcryptCost ? `password_hash: a bcrypt cost of ${cost} is more than the ${hashCostLimits.bcryptCost} every sign-in attempt could afford` : undefined;
  }
  const argon2 = argon2Hash.exec(hash);
  if (!argon2) {
    return 'password_hash: not a complete argon2 hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash) or bcrypt hash ($2b$, a cost of two digits, $, then 53 characters)';
  }
  const [memory, iterations, parallelism] = [Number(argon2[1]), Number(argon2[2]), Number(argon2[3])];
  if (memory > hashCostLimits.argon2MemoryKib || iterations > hashCostLimits.argon2Iterations || parallelism > hashCostLimits.argon2Parallelism) {
    return `password_hash: argon2 parameters above m=${hashCostLimits.argon2MemoryKib},t=${hashCostLimits.argon2Iterations},p=${hashCostLimits.argon2Parallelism}, more than every sign-in attempt could afford`;
  }
  return undefined;
}

/** What the users table holds at most, in characters (PostgreSQL refuses more, in a way that would stop the whole batch). */
const maxUsernameChars = 200;
const maxEmailChars = 320;

function pathOf(path: PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = pathOf(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((key) => JSON.stringify(key)).join(', ');
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
 * Checks a record with the configuration file's rules for users (src/users/user-schema.ts),
 * plus what an import adds: no clear-text password, a hash in full argon2 or bcrypt form, and
 * values the users table can hold. The reason names the field.
 */
export function checkRecord(value: Record<string, unknown>): { candidate: ImportCandidate } | { reason: string } {
  if ('password' in value) return { reason: 'password: clear-text passwords are not imported; give the existing hash as password_hash' };
  if (value.username === undefined || value.username === '') return { reason: 'username: required' };
  const nul = fieldWithNul(value);
  if (nul !== undefined) return { reason: `${JSON.stringify(nul.replaceAll('\u0000', '\\u0000'))}: contains a NUL character (U+0000)` };
  const parsed = userInputSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const more = issues.length > 3 ? `; and ${issues.length - 3} more` : '';
    return { reason: issues.slice(0, 3).map(describeIssue).join('; ') + more };
  }
  const { username, email, password_hash: importedHash, groups, attributes, disabled, password: _none, ...profile } = parsed.data;
  const problem = importedHash === undefined ? undefined : hashProblem(importedHash);
  if (problem !== undefined) return { reason: problem };
  const normalizedUsername = normalizeIdentifier(username);
  if (normalizedUsername === '') return { reason: 'username: blank' };
  if (normalizedUsername.length > maxUsernameChars) return { reason: `username: longer than ${maxUsernameChars} characters once normalized` };
  const normalizedEmail = email === undefined ? undefined : normalizeIdentifier(email);
  if (normalizedEmail !== undefined && normalizedEmail.length > maxEmailChars) return { reason: `email: longer than ${maxEmailChars} characters` };
  const user: ImportedUser = { username, email, profile, groups, attributes, disabled };
  if (importedHash !== undefined) user.credential = { importedHash };
  return { candidate: { user, username: normalizedUsername, email: normalizedEmail } };
}
