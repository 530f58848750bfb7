import { createHmac, randomBytes } from 'node:crypto';
import type { ChangeLog } from '../audit/change-log.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createRecoveryCodeQueries } from '../db/queries/recovery-codes.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';

/** Ten, as Logto and GitHub give: enough for years of lost phones, few enough to print. */
const codeCount = 10;
/** 12 Crockford base32 characters: 60 bits, far beyond guessing at the sign-in's attempt limits. */
const codeLength = 12;
/** Crockford's base32: no I, L, O or U, so what is read aloud or copied by hand is what was shown. */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type RecoveryCodeService = ReturnType<typeof createRecoveryCodeService>;

/** A new code: each character from one random byte's low 5 bits (256 is a multiple of 32, so unbiased). */
function newCode(): string {
  return [...randomBytes(codeLength)].map((byte) => alphabet[byte & 31]).join('');
}

/** As shown and printed: XXXX-XXXX-XXXX. */
const formatted = (code: string) => code.match(/.{4}/g)!.join('-');

/**
 * A code as typed: spaces and dashes dropped, upper case, and Crockford's readings of the
 * letters it leaves out (O is 0; I and L are 1). Undefined when it cannot be a code at all.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input.trim().replace(/[\s-]+/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === codeLength && [...code].every((char) => alphabet.includes(char)) ? code : undefined;
}

/**
 * Recovery codes: ten single-use codes that stand in for a lost second factor. Shown once when
 * made; a new set voids the old one.
 */
export function createRecoveryCodeService({ db, box, clock, changes }: { db: Db; box: SecretBox; clock: Clock; changes: ChangeLog }) {
  const codes = createRecoveryCodeQueries(db);
  /*
   * Stored as an HMAC keyed by a key derived from the master secret, not as an argon2 hash:
   * with 60 random bits per code there is nothing for a slow hash to stretch, and without the
   * master secret the database alone gives an attacker nothing to guess offline at all. A keyed
   * hash is also deterministic, so using a code is one DELETE by its hash, single use by
   * construction on every instance, instead of ten argon2 verifications per attempt. The user's
   * id is inside the MAC, so a code is worth nothing for anyone else.
   */
  const key = box.derive('recovery-codes');
  const hashOf = (userId: string, normalized: string) => createHmac('sha256', key).update(`${userId}:${normalized}`).digest('hex');

  return {
    /**
     * A new set of codes, replacing the user's old set at once, recorded as
     * `mfa.recovery_codes_generated`. The codes are returned to be shown once: only their hashes are kept.
     */
    async generate(actor: Actor, userId: string): Promise<string[]> {
      const plain = Array.from({ length: codeCount }, newCode);
      const now = clock.now();
      await inTransaction(db, async (trx) => {
        const queries = createRecoveryCodeQueries(trx);
        await queries.removeAll(userId);
        await queries.insertMany(plain.map((code) => ({ user_id: userId, code_hash: hashOf(userId, code), created_at: now })));
        await changes.record(trx, [{ type: 'mfa.recovery_codes_generated', actor, subject: { userId }, details: { count: codeCount } }]);
      });
      return plain.map(formatted);
    },

    /** Uses a code up: `used` when it was one of the user's unused codes (once only, on every instance), and how many remain. */
    async use(userId: string, code: string): Promise<{ used: boolean; remaining: number }> {
      const normalized = normalizeRecoveryCode(code);
      const used = normalized !== undefined && (await codes.use(userId, hashOf(userId, normalized)));
      return { used, remaining: await codes.countOf(userId) };
    },

    remaining: (userId: string): Promise<number> => codes.countOf(userId),
  };
}
