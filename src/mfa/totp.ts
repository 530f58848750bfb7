import { defaults } from '../config/defaults.js';
import { generate, generateSecret, verify } from 'otplib';
import type { ChangeLog } from '../audit/change-log.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createTotpFactorQueries, type TotpFactorRow } from '../db/queries/totp-factors.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';

/*
 * RFC 6238 as every authenticator app implements it: HMAC-SHA1, 6 digits, 30-second steps.
 * Apps that honour other parameters are few, and the QR code carrying them changes nothing for
 * the others, so these are not settings.
 */
const algorithm = 'sha1';
const digits = 6;
const period = 30;
/** RFC 6238 §5.2: at most one step of drift each way; otplib's default is none (a code typed at a step's end fails). */
const epochTolerance = period;
/** RFC 4226 §4: at least 128 bits, 160 recommended (the HMAC-SHA1 block the apps expect). */
const secretBytes = 20;

export type TotpService = ReturnType<typeof createTotpService>;

/**
 * The time step a code belongs to, at `epochSeconds`, within one step each way; undefined when
 * it is not the code of any, or only of a step not after `afterStep`. Pure, so that RFC 6238's
 * test vectors drive it as the service does (with their 8 digits).
 */
export async function matchingStep(
  secret: string | Uint8Array, code: string, epochSeconds: number, { digitCount = digits, afterStep }: { digitCount?: number; afterStep?: number | null } = {},
): Promise<number | undefined> {
  // otplib throws on a token of the wrong length or with letters: that is a wrong code, not a failure.
  if (!new RegExp(`^\\d{${digitCount}}$`).test(code)) return undefined;
  // otplib refuses an afterTimeStep past the newest step it would accept (a code used on an instance whose clock runs ahead): nothing can match.
  if (afterStep !== undefined && afterStep !== null && afterStep >= Math.floor(epochSeconds / period) + 1) return undefined;
  const result = await verify({
    secret, token: code, algorithm, digits: digitCount, period, epoch: Math.floor(epochSeconds), epochTolerance,
    ...(afterStep !== undefined && afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  // The result type also covers HOTP's, which has no step; a TOTP match always has one.
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** The code of the step `epochSeconds` falls in (what an app shows then): for tests and the vectors. */
export function codeAt(secret: string | Uint8Array, epochSeconds: number, digitCount = digits): Promise<string> {
  return generate({ secret, algorithm, digits: digitCount, period, epoch: Math.floor(epochSeconds) });
}

/** What people type: the app may show the code as "123 456". */
const typed = (code: string) => code.replace(/\s+/g, '');

/**
 * The `otpauth://` URI the QR code carries (the Key Uri Format of Google Authenticator): the
 * issuer in the label and as a parameter, as apps differ in which they read.
 */
export function otpauthUri(secret: string, accountName: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = `secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=${digits}&period=${period}`;
  return `otpauth://totp/${label}?${query}`;
}

/**
 * Authenticator apps (TOTP), one per user. The secret is sealed with the master secret, bound
 * to its user, and shown only while the factor is set up. A code is accepted once: its step is
 * stored, and only a later step passes, by a conditional update that holds across instances.
 */
export function createTotpService({ db, box, clock, changes }: { db: Db; box: SecretBox; clock: Clock; changes: ChangeLog }) {
  const factors = createTotpFactorQueries(db);
  const context = (userId: string) => `totp:${userId}`;
  const secretOf = (row: TotpFactorRow) => box.open(row.secret_sealed, context(row.user_id));

  return {
    /**
     * Starts setting up an app with a new secret (or goes on with one started within an
     * interaction's lifetime), replacing an older set-up never confirmed; refused
     * ('conflict') while the user has a confirmed one. The secret is returned for the page to
     * show, with the URI its QR code carries, and never again.
     */
    async begin(userId: string, accountName: string, issuer = 'Gatehouse'): Promise<{ secret: string; uri: string }> {
      // The page is shown again after a wrong code or a reload, and the person's app holds the first secret:
      // a set-up of this sign-in's lifetime goes on with it; an older one is abandoned and replaced.
      const started = await factors.find(userId);
      if (started && started.confirmed_at === null && started.created_at > clock.now() - defaults.ttl.interaction * 1000) {
        const secret = secretOf(started);
        return { secret, uri: otpauthUri(secret, accountName, issuer) };
      }
      const secret = generateSecret({ length: secretBytes });
      const begun = await factors.begin({
        user_id: userId, secret_sealed: box.seal(secret, context(userId)), created_at: clock.now(), confirmed_at: null, last_time_step: null, last_used_at: null,
      });
      if (!begun) throw new GatehouseError('conflict', 'An authenticator app is set up already: remove it before setting up another.');
      return { secret, uri: otpauthUri(secret, accountName, issuer) };
    },

    /**
     * Activates the set-up when `code` is right, its step counted as used, and records
     * `mfa.factor_enrolled` with it. False for a wrong code, or without a fresh set-up to confirm.
     */
    async confirm(actor: Actor, userId: string, code: string): Promise<boolean> {
      const row = await factors.find(userId);
      const now = clock.now();
      // A set-up is confirmed within the lifetime of the sign-in that started it, or started again.
      if (!row || row.confirmed_at !== null || row.created_at <= now - defaults.ttl.interaction * 1000) return false;
      const step = await matchingStep(secretOf(row), typed(code), now / 1000);
      if (step === undefined) return false;
      return inTransaction(db, async (trx) => {
        // Another tab confirming at the same moment, or a new set-up started meanwhile (its secret another), changes no row here.
        if (!(await createTotpFactorQueries(trx).confirm(userId, row.secret_sealed, { step, now }))) return false;
        await changes.record(trx, [{ type: 'mfa.factor_enrolled', actor, subject: { userId }, details: { factor: 'totp', factor_id: 'totp' } }]);
        return true;
      });
    },

    /** True once for a right code of a confirmed app: the same code, or any of an earlier step, is refused after, on every instance. */
    async verify(userId: string, code: string): Promise<boolean> {
      const row = await factors.find(userId);
      if (!row || row.confirmed_at === null) return false;
      const now = clock.now();
      const step = await matchingStep(secretOf(row), typed(code), now / 1000, { afterStep: row.last_time_step });
      if (step === undefined) return false;
      return factors.recordUse(userId, { step, now });
    },
  };
}
