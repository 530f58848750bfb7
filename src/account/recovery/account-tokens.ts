import { createHash, randomBytes } from 'node:crypto';
import type { AccountTokenPurpose, Db } from '../../db/database.js';
import { createAccountTokenQueries, type AccountTokenRow } from '../../db/queries/account-tokens.js';
import type { Clock } from '../../runtime/clock.js';
import type { User } from '../../users/user.js';

/** A token as it appears in a link: 256 random bits, base64url. */
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * A digest of the user's password hash: stored with a reset link and compared when it is used,
 * so that any password change in between (a reset, /account, the API, the CLI) voids the link.
 */
const passwordPrintOf = (user: Pick<User, 'passwordHash'>) => sha256(`password:${user.passwordHash ?? ''}`);

/**
 * The single-use links sent by email (verify an address, confirm a new one, reset a password):
 * the token is only in the message, the database keeps its SHA-256; a newer link of the same
 * purpose replaces the older one; using one is atomic (src/db/queries/account-tokens.ts).
 */
export function createAccountTokens({ db, clock }: { db: Db; clock: Clock }) {
  const queries = createAccountTokenQueries(db);
  const hashOf = (token: string) => (tokenShape.test(token) ? sha256(token) : undefined);
  const stillValid = (row: AccountTokenRow | undefined, user: User | undefined): boolean =>
    row !== undefined && user !== undefined && !user.disabled && (row.password_print === null || row.password_print === passwordPrintOf(user));

  return {
    /** A new link's token for `email` (the user's address, or the new one), voiding the user's earlier ones of the purpose. */
    async issue(purpose: AccountTokenPurpose, user: User, email: string, lifetimeSeconds: number): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      await queries.replace({
        token_hash: sha256(token), user_id: user.id, purpose, email,
        password_print: purpose === 'reset_password' ? passwordPrintOf(user) : null,
        created_at: now, expires_at: now + lifetimeSeconds * 1000,
      });
      return token;
    },
    /** The token's row while it is usable, without using it. */
    async peek(token: string, purpose: AccountTokenPurpose): Promise<AccountTokenRow | undefined> {
      const hash = hashOf(token);
      return hash === undefined ? undefined : queries.find(hash, purpose, clock.now());
    },
    /** Uses the token up: its row for exactly one caller, while it is unexpired and unused; `within` a caller's transaction when given. */
    async redeem(token: string, purpose: AccountTokenPurpose, within?: Db): Promise<AccountTokenRow | undefined> {
      const hash = hashOf(token);
      return hash === undefined ? undefined : (within ? createAccountTokenQueries(within) : queries).redeem(hash, purpose, clock.now());
    },
    /** Voids the user's unused links of a purpose (reset links sent to an address the account no longer has). */
    voidAll: (userId: string, purpose: AccountTokenPurpose): Promise<void> => queries.removeOf(userId, purpose),
    /** The link still speaks for this user: enabled, and (a reset link) no password change since it was sent. */
    stillValid,
  };
}

export type AccountTokens = ReturnType<typeof createAccountTokens>;
