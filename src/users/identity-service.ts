import type { ChangeLog, ManagementChange } from '../audit/change-log.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createUserIdentityQueries, type IdentityKey, type UserIdentityRow } from '../db/queries/user-identities.js';
import { createUserQueries } from '../db/queries/users.js';
import { isGatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import type { User } from './user.js';
import { refuseLastWayIn } from './ways-in.js';
import type { NewUser, UserService } from './user-service.js';

export type { IdentityKey } from '../db/queries/user-identities.js';

/**
 * What a sign-in method does with an identity no user is linked to yet; its own rule, from its
 * configuration. Gatehouse never links by a matching user name or email on its own: only a
 * method that knows its issuer verifies them may say so, by naming the user.
 * - `refuse`: only identities an administrator linked sign in.
 * - `link`: link it to this existing user, found by the method; recorded with the method's actor.
 * - `provision`: create this user and link it.
 * `connectionId`, the connection the identity signed in through, goes in the audit event.
 */
export type UnlinkedIdentityRule =
  | { action: 'refuse' }
  | { action: 'link'; userId: string; actor: Actor; connectionId?: string }
  | { action: 'provision'; user: NewUser; connectionId?: string };

export interface IdentityServiceDeps {
  db: Db;
  clock: Clock;
  /** The user service over a database handle, so that provisioning creates and links in one transaction. */
  users: (db: Db) => Pick<UserService, 'findById' | 'createUser'>;
  /** Where a link and an unlink are recorded, in their own transaction. */
  changes: ChangeLog;
}

export type IdentityService = ReturnType<typeof createIdentityService>;

/** Raised inside the provisioning transaction to undo the user it created. */
class LinkedMeanwhile extends Error {}

/** Users' identities at other issuers (upstream identity providers, partner portals). */
export function createIdentityService({ db, clock, users, changes }: IdentityServiceDeps) {
  const identities = createUserIdentityQueries(db);
  const row = (userId: string, identity: IdentityKey): UserIdentityRow => ({ issuer: identity.issuer, subject: identity.subject, user_id: userId, created_at: clock.now() });
  const identityChange = (type: 'identity.linked' | 'identity.unlinked', actor: Actor, userId: string, identity: IdentityKey, connectionId: string | undefined): ManagementChange => ({
    type, actor, subject: { userId, ...(connectionId !== undefined ? { connectionId } : {}) }, details: { issuer: identity.issuer, subject: identity.subject },
  });

  /** Links the identity and records it, in one transaction; false (and nothing recorded) when it is linked already, to this user or another. */
  function link(actor: Actor, userId: string, identity: IdentityKey, connectionId?: string): Promise<boolean> {
    return inTransaction(db, async (trx) => {
      if (!(await createUserIdentityQueries(trx).link(row(userId, identity)))) return false;
      await changes.record(trx, [identityChange('identity.linked', actor, userId, identity, connectionId)]);
      return true;
    });
  }

  async function linkedUser(identity: IdentityKey): Promise<User | undefined> {
    const userId = await identities.findUserId(identity);
    return userId === undefined ? undefined : users(db).findById(userId);
  }

  /**
   * Creates the user and links the identity in one transaction. When a concurrent first sign-in
   * of the same identity linked it first, this one's user is rolled back and the winner's is
   * returned, so one identity never leads to two users.
   */
  async function provision(identity: IdentityKey, newUser: NewUser, connectionId: string | undefined): Promise<User | undefined> {
    const actor: Actor = { kind: 'system', reason: `first sign-in of ${identity.subject} at ${identity.issuer}` };
    try {
      return await inTransaction(db, async (trx) => {
        const { user } = await users(trx).createUser(actor, newUser);
        if (!(await createUserIdentityQueries(trx).link(row(user.id, identity)))) throw new LinkedMeanwhile();
        await changes.record(trx, [identityChange('identity.linked', actor, user.id, identity, connectionId)]);
        return user;
      });
    } catch (error) {
      // A concurrent provisioning of the same identity also takes the same user name first.
      if (error instanceof LinkedMeanwhile || (isGatehouseError(error) && error.code === 'conflict')) {
        const winner = await linkedUser(identity);
        if (winner) return winner;
      }
      throw error;
    }
  }

  return {
    /**
     * The user an identity signs in as: the one linked to it, else what the method's rule gives;
     * undefined when the rule refuses. A `link` that another request beat returns that request's user.
     */
    async userFor(identity: IdentityKey, rule: UnlinkedIdentityRule): Promise<User | undefined> {
      const linked = await linkedUser(identity);
      if (linked || rule.action === 'refuse') return linked;
      if (rule.action === 'provision') return provision(identity, rule.user, rule.connectionId);
      await link(rule.actor, rule.userId, identity, rule.connectionId);
      return linkedUser(identity);
    },
    /** False when the identity is linked already, to this user or another; a link made is recorded with the actor. */
    link,
    listFor: (userId: string): Promise<UserIdentityRow[]> => identities.listByUser(userId),
    /**
     * Unlinks the identity from the user and records it, in one transaction; false (nothing
     * recorded) when it was not linked to this user. `keepWayIn`: the owner's own unlink, refused
     * (`conflict`) when it would leave no way to sign in; checked after the user's row is locked,
     * so two unlinks at once cannot take the last two.
     */
    unlink: (actor: Actor, userId: string, identity: IdentityKey, { keepWayIn = false }: { keepWayIn?: boolean } = {}): Promise<boolean> =>
      inTransaction(db, async (trx) => {
        if (keepWayIn) await createUserQueries(trx).lock(userId);
        if (!(await createUserIdentityQueries(trx).unlink(userId, identity))) return false;
        // Thrown inside the transaction: the identity unlinked above comes back.
        if (keepWayIn) await refuseLastWayIn(trx, userId);
        await changes.record(trx, [identityChange('identity.unlinked', actor, userId, identity, undefined)]);
        return true;
      }),
  };
}
