import type { ChangeLog } from '../audit/change-log.js';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createUserQueries } from '../db/queries/users.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Sessions } from '../oidc/sessions.js';
import { assertMayChange, type Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import type { PasswordHasher } from './password-hasher.js';
import { checkPasswordPolicy } from './password-policy.js';
import { toUser, type User } from './user.js';

export interface SelfServiceDeps {
  db: Db;
  clock: Clock;
  security: SecuritySettings;
  hasher: PasswordHasher;
  /** The engine's sessions and grants of a user, over a handle (the transaction's). */
  sessions: (db: Db) => Sessions;
  changes: ChangeLog;
}

/**
 * What a person does to their own account (the /account pages, a reset link): each change and
 * its audit event in one transaction, with the person as the actor. An administrator's changes
 * are the user service's.
 */
export function createSelfService({ db, clock, security, hasher, sessions, changes }: SelfServiceDeps) {
  return {
    /** The user's sessions with their devices (the /account sessions list). */
    sessionsWithDevices: (id: string) => sessions(db).listWithDevices(id, clock.now()),
    /**
     * A person's own new password (the /account password page, the current one proved there):
     * checked against the policy, and every other session, grant and token of the account ends
     * with the change, in one transaction; the session the change was made in stays.
     */
    changeOwnPassword: async (id: string, password: string, keptSessionUid: string): Promise<void> => {
      checkPasswordPolicy(password, security);
      const hash = await hasher.hash(password);
      await inTransaction(db, async (trx) => {
        const actor: Actor = { kind: 'user', userId: id };
        const queries = createUserQueries(trx);
        const current = await queries.findById(id);
        if (!current) throw new GatehouseError('user_not_found', 'no user with that id');
        assertMayChange(actor, current.owner, `user "${current.username}"`);
        await queries.setPasswordHash(id, hash, clock.now());
        const ended = await sessions(trx).endAllBut(id, keptSessionUid, clock.now());
        await changes.record(trx, [{ type: 'user.password_set', actor, subject: { userId: id }, details: { other_sessions_ended: ended } }]);
      });
    },
    /**
     * A forgotten password replaced through an emailed link: `claim` uses the link up within the
     * same transaction, given the user as stored now, and nothing changes unless it answers true.
     * The new hash, the end of every session, grant and token, and the one `user.password_reset`
     * event commit together or not at all. The updated user, or undefined when the claim failed.
     */
    resetPassword: async (id: string, password: string, claim: (trx: Db, current: User) => Promise<boolean>, clientAddress?: string): Promise<User | undefined> => {
      checkPasswordPolicy(password, security);
      const hash = await hasher.hash(password);
      return inTransaction(db, async (trx) => {
        const actor: Actor = { kind: 'user', userId: id };
        const queries = createUserQueries(trx);
        const current = await queries.findById(id);
        if (!current || !(await claim(trx, toUser(current)))) return undefined;
        const now = clock.now();
        await queries.setPasswordHash(id, hash, now);
        await sessions(trx).endAllOf(id);
        await changes.record(trx, [{ type: 'user.password_reset', actor, subject: { userId: id, ...(clientAddress ? { clientAddress } : {}) }, details: { sessions_ended: true } }]);
        return toUser({ ...current, password_hash: hash, updated_at: now });
      });
    },
    /** A person ends one of their own sessions, with its applications' tokens; false when it is not theirs (or gone). */
    endOwnSession: (id: string, sessionUid: string): Promise<boolean> =>
      inTransaction(db, async (trx) => {
        if (!(await sessions(trx).endSession(id, sessionUid, clock.now()))) return false;
        await changes.record(trx, [{ type: 'session.ended', actor: { kind: 'user', userId: id }, subject: { userId: id }, details: { session_uid: sessionUid } }]);
        return true;
      }),
    /** A person ends every session but the one they are using, and every token but that session's applications'; how many sessions ended. */
    endOtherSessions: (id: string, keptSessionUid: string): Promise<number> =>
      inTransaction(db, async (trx) => {
        const ended = await sessions(trx).endAllBut(id, keptSessionUid, clock.now());
        await changes.record(trx, [{ type: 'session.ended', actor: { kind: 'user', userId: id }, subject: { userId: id }, details: { other_sessions: true, sessions_ended: ended } }]);
        return ended;
      }),
    /** A person withdraws an application's access: its grants end with their tokens; false when it had none. */
    revokeOwnConsent: (id: string, clientId: string): Promise<boolean> =>
      inTransaction(db, async (trx) => {
        const ended = await sessions(trx).endGrantsOf(id, clientId, clock.now());
        if (ended === 0) return false;
        await changes.record(trx, [{ type: 'consent.revoked', actor: { kind: 'user', userId: id }, subject: { userId: id, clientId }, details: { grants_ended: ended } }]);
        return true;
      }),
  };
}

export type SelfService = ReturnType<typeof createSelfService>;
