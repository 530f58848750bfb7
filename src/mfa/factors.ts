import type { ChangeLog } from '../audit/change-log.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createPasskeyQueries } from '../db/queries/passkeys.js';
import { createRecoveryCodeQueries } from '../db/queries/recovery-codes.js';
import { createTotpFactorQueries } from '../db/queries/totp-factors.js';
import { createUserQueries } from '../db/queries/users.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import { passkeyOf } from './passkey.js';
import { refuseLastWayIn } from '../users/ways-in.js';

/** The ids that name the app and the recovery codes among a user's factors; a passkey is named by its credential id. */
export const totpFactorId = 'totp';
export const recoveryCodesFactorId = 'recovery-codes';

export type FactorType = 'totp' | 'passkey' | 'recovery_codes';

/** A second factor as lists show it (API, CLI, console, account page): never its secret. */
export interface FactorSummary {
  /** `totp`, `recovery-codes`, or a passkey's credential id (base64url). */
  id: string;
  type: FactorType;
  name: string;
  /** Epoch milliseconds: when the app was confirmed, the passkey registered, the codes made. */
  createdAt: number;
  lastUsedAt: number | null;
  /** Recovery codes: how many are left unused. */
  remaining?: number;
  /** Passkeys: `multiDevice` for one that syncs between devices. */
  deviceType?: 'singleDevice' | 'multiDevice';
  backedUp?: boolean;
}

export type FactorService = ReturnType<typeof createFactorService>;

const appName = 'Authenticator app';
const recoveryCodesName = 'Recovery codes';

/** A user's second factors together: what they have, and removing one (by the user or an administrator). */
export function createFactorService({ db, changes }: { db: Db; changes: ChangeLog }) {
  const totp = createTotpFactorQueries(db);
  const passkeys = createPasskeyQueries(db);
  const recoveryCodes = createRecoveryCodeQueries(db);

  return {
    /** The app (once confirmed), each passkey oldest first, and the recovery codes while any remain. */
    async list(userId: string): Promise<FactorSummary[]> {
      const [app, keys, remaining, codesMadeAt] = await Promise.all([
        totp.find(userId), passkeys.listOf(userId), recoveryCodes.countOf(userId), recoveryCodes.createdAtOf(userId),
      ]);
      const factors: FactorSummary[] = [];
      if (app?.confirmed_at != null) factors.push({ id: totpFactorId, type: 'totp', name: appName, createdAt: app.confirmed_at, lastUsedAt: app.last_used_at });
      for (const key of keys.map(passkeyOf)) factors.push({ type: 'passkey', ...key });
      if (remaining > 0 && codesMadeAt !== undefined) {
        factors.push({ id: recoveryCodesFactorId, type: 'recovery_codes', name: recoveryCodesName, createdAt: codesMadeAt, lastUsedAt: null, remaining });
      }
      return factors;
    },

    async enrolled(userId: string): Promise<{ totp: boolean; passkeys: number; recoveryCodes: number }> {
      const [app, keys, codes] = await Promise.all([totp.find(userId), passkeys.countOf(userId), recoveryCodes.countOf(userId)]);
      return { totp: app?.confirmed_at != null, passkeys: keys, recoveryCodes: codes };
    },

    /**
     * Removes one factor, recorded as `mfa.factor_removed`. Removing the last app or passkey
     * voids the recovery codes too: they recover a second factor, and would otherwise be one
     * on their own. `not_found` for a factor the user does not have.
     */
    /**
     * `keepOne`: the owner's own removal while sign-ins require a second factor. `keepWayIn`: the
     * owner's own removal of a passkey that is their last way to sign in (LastWayIn). Both are
     * checked after the user's row is locked, so two removals at once cannot take the last two.
     */
    remove: (actor: Actor, userId: string, factorId: string, { keepOne = false, keepWayIn = false }: { keepOne?: boolean; keepWayIn?: boolean } = {}): Promise<void> =>
      inTransaction(db, async (trx) => {
        const users = createUserQueries(trx);
        if (!(await users.findById(userId))) throw new GatehouseError('user_not_found', `No user with the id "${userId}".`);
        // One removal at a time per user: two removing the last two factors at once both see the other's left.
        await users.lock(userId);
        const queries = { totp: createTotpFactorQueries(trx), passkeys: createPasskeyQueries(trx), recoveryCodes: createRecoveryCodeQueries(trx) };
        const removed = await removeOne(queries, userId, factorId);
        if (!removed) throw new GatehouseError('not_found', 'The user has no such second factor.');
        const details: Record<string, unknown> = { factor: removed.type, factor_id: factorId, name: removed.name };
        if (keepWayIn && removed.type === 'passkey') await refuseLastWayIn(trx, userId);
        if (removed.type !== 'recovery_codes') {
          const left = (await queries.totp.find(userId))?.confirmed_at != null || (await queries.passkeys.countOf(userId)) > 0;
          // Thrown inside the transaction: the factor removed above comes back.
          if (!left && keepOne) throw new GatehouseError('conflict', 'This is the last second factor, and sign-ins require one: add another before removing it.');
          const voided = left ? 0 : await queries.recoveryCodes.removeAll(userId);
          if (voided > 0) details.recovery_codes_voided = voided;
        }
        await changes.record(trx, [{ type: 'mfa.factor_removed', actor, subject: { userId }, details }]);
      }),
  };
}

type FactorQueries = {
  totp: ReturnType<typeof createTotpFactorQueries>;
  passkeys: ReturnType<typeof createPasskeyQueries>;
  recoveryCodes: ReturnType<typeof createRecoveryCodeQueries>;
};

/** Deletes the factor the id names; what it was, or undefined when the user has none by that id. */
async function removeOne(queries: FactorQueries, userId: string, factorId: string): Promise<{ type: FactorType; name: string } | undefined> {
  if (factorId === totpFactorId) {
    // A set-up never confirmed is not a factor (nor listed): it stays for its page to finish.
    const app = await queries.totp.find(userId);
    return app?.confirmed_at != null && (await queries.totp.remove(userId)) ? { type: 'totp', name: appName } : undefined;
  }
  if (factorId === recoveryCodesFactorId) return (await queries.recoveryCodes.removeAll(userId)) > 0 ? { type: 'recovery_codes', name: recoveryCodesName } : undefined;
  const passkey = await queries.passkeys.remove(userId, factorId);
  return passkey ? { type: 'passkey', name: passkey.name } : undefined;
}
