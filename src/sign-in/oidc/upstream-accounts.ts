import type { OidcConnection } from '../../connections/connection.js';
import type { Actor } from '../../runtime/actor.js';
import type { AccountRefusal } from '../account-refusal.js';
import type { IdentityKey, IdentityService, UnlinkedIdentityRule } from '../../users/identity-service.js';
import { groupsFromConnection, mayBeMatchedByConnection } from '../../users/connection-groups.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import type { User } from '../../users/user.js';
import type { NewUser, UserChanges, UserService } from '../../users/user-service.js';
import { upstreamProfile, usernameOf, verifiedEmailOf, type UpstreamClaims } from './upstream-claims.js';

/**
 * Which local user an upstream identity signs in as, decided without writing anything, so that
 * Test connection can show it and the sign-in can then carry it out:
 * - `linked`: the identity (issuer + subject) is linked already; a renamed upstream user keeps its account;
 * - `link`: an existing user matched by user name, or by an email the upstream verified
 *   (provisioning `existing_users_only` only);
 * - `provision`: a new user (provisioning `create`);
 * - `refuse`: the reason, a text for the person signing in (said in the page's language).
 */
export type AccountDecision =
  | { kind: 'linked'; user: User }
  | { kind: 'link'; user: User; matchedBy: 'username' | 'email' }
  | { kind: 'provision'; user: NewUser }
  | { kind: 'refuse'; reason: AccountRefusal };

export interface UpstreamAccountDeps {
  identities: Pick<IdentityService, 'userFor' | 'listFor'>;
  users: Pick<UserService, 'findByUsername' | 'findByIdentifier' | 'updateUser'>;
}

/** Who changes a user at a sign-in through the connection: Gatehouse, for the connection. */
const connectionActor = (connection: Pick<OidcConnection, 'id'>): Actor => ({ kind: 'system', reason: `sign-in through connection ${connection.id}` });

/** The local accounts of upstream identities: which one an identity is, making it so, and keeping its profile in step. */
export function createUpstreamAccounts({ identities, users }: UpstreamAccountDeps) {
  /** The user whose email is exactly this address (findByIdentifier would also take a user name). */
  async function ownerOfEmail(email: string): Promise<User | undefined> {
    const user = await users.findByIdentifier(email);
    return user?.email === normalizeIdentifier(email) ? user : undefined;
  }

  async function match(connection: OidcConnection, claims: UpstreamClaims): Promise<{ user: User; matchedBy: 'username' | 'email' } | undefined> {
    const username = usernameOf(connection, claims);
    const byName = username === undefined ? undefined : await users.findByUsername(username);
    if (byName) return { user: byName, matchedBy: 'username' };
    const email = verifiedEmailOf(claims);
    const byEmail = email === undefined ? undefined : await ownerOfEmail(email);
    // Both sides must vouch for the address: one a partner or a typing administrator put here unverified matches nobody.
    return byEmail?.profile.email_verified === true ? { user: byEmail, matchedBy: 'email' } : undefined;
  }

  /** A new user from the claims; an email another user has already is left out rather than stolen. */
  async function newUser(username: string, connection: OidcConnection, claims: UpstreamClaims): Promise<NewUser> {
    const { email, profile, groups } = upstreamProfile(connection, claims);
    const keepEmail = email !== undefined && !(await ownerOfEmail(email));
    return {
      username, email: keepEmail ? email : undefined, profile: { ...profile, email_verified: keepEmail ? profile.email_verified : undefined },
      groups: groups && groupsFromConnection([], groups),
    };
  }

  /** Another upstream user with the same name or address never takes an account that is someone's at this issuer. */
  async function takenAtIssuer(user: User, identity: IdentityKey): Promise<boolean> {
    return (await identities.listFor(user.id)).some((link) => link.issuer === identity.issuer);
  }

  /**
   * Matching a local account by name or address is Federated Directory's rule, and only
   * `existing_users_only` follows it: the administrator who chose it vouches that the upstream's
   * user names are the local ones. Under `create` an existing account is never handed over to
   * whoever the upstream calls by its name (an upstream "admin" would otherwise be Gatehouse's).
   */
  async function decide(connection: OidcConnection, identity: IdentityKey, claims: UpstreamClaims): Promise<AccountDecision> {
    const linked = await identities.userFor(identity, { action: 'refuse' });
    if (linked) return { kind: 'linked', user: linked };
    const belongsToAnother = (user: User): AccountDecision => ({
      kind: 'refuse', reason: { key: 'accountRefused.takenAtIssuer', params: { username: user.username, connection: connection.name } },
    });
    const username = usernameOf(connection, claims);
    if (connection.provisioning === 'existing_users_only') {
      const matched = await match(connection, claims);
      if (!matched) {
        const shownAs = username ?? verifiedEmailOf(claims) ?? identity.subject;
        return { kind: 'refuse', reason: { key: 'accountRefused.onlyExisting', params: { connection: connection.name, shownAs } } };
      }
      if (await takenAtIssuer(matched.user, identity)) return belongsToAnother(matched.user);
      // Linking a disabled account would change it although the sign-in is refused.
      if (matched.user.disabled) return { kind: 'refuse', reason: { key: 'accountRefused.disabled', params: {} } };
      if (!mayBeMatchedByConnection(matched.user)) {
        return { kind: 'refuse', reason: { key: 'accountRefused.administrator', params: { username: matched.user.username } } };
      }
      return { kind: 'link', ...matched };
    }
    if (username === undefined) {
      return { kind: 'refuse', reason: { key: 'accountRefused.claimMissing', params: { connection: connection.name, claim: connection.usernameClaim } } };
    }
    const existing = await users.findByUsername(username);
    if (existing && (await takenAtIssuer(existing, identity))) return belongsToAnother(existing);
    if (existing) {
      return { kind: 'refuse', reason: { key: 'accountRefused.notLinked', params: { username: existing.username, connection: connection.name } } };
    }
    return { kind: 'provision', user: await newUser(username, connection, claims) };
  }

  /**
   * The profile the upstream sends (name, email, groups) on the user, at each sign-in of a
   * connection with `update_profile: on_login`. An address another user has stays theirs: the
   * user keeps the one they had. Writes nothing when nothing changed. A user the configuration
   * file declares keeps the file's profile: the next start would undo the upstream's anyway.
   */
  async function follow(user: User, connection: OidcConnection, claims: UpstreamClaims): Promise<User> {
    if (user.owner === 'config_file') return user;
    const { email, profile: { email_verified: verified, ...profile }, groups } = upstreamProfile(connection, claims);
    // Whether the upstream's address (and what it says of it) may be the user's: theirs already, or nobody's.
    const mayTake = email !== undefined && (normalizeIdentifier(email) === user.email || (await ownerOfEmail(email)) === undefined);
    const changes: UserChanges = {
      profile: { ...user.profile, ...profile, ...(mayTake && verified !== undefined ? { email_verified: verified } : {}) },
      ...(mayTake ? { email } : {}),
      ...(groups ? { groups: groupsFromConnection(user.groups, groups) } : {}),
    };
    return users.updateUser(connectionActor(connection), user.id, changes);
  }

  return {
    decide,
    follow,
    /** Carries a decision out: the linked, linked now or provisioned user; undefined for a refusal. */
    carryOut: async (connection: Pick<OidcConnection, 'id'>, identity: IdentityKey, decision: AccountDecision): Promise<User | undefined> => {
      const rule = ruleFor(connection, decision);
      return rule && identities.userFor(identity, rule);
    },
  };
}

export type UpstreamAccounts = ReturnType<typeof createUpstreamAccounts>;

/** The identity service's rule that carries a decision out; undefined for a refusal. */
function ruleFor(connection: Pick<OidcConnection, 'id'>, decision: AccountDecision): UnlinkedIdentityRule | undefined {
  switch (decision.kind) {
    case 'linked':
      return { action: 'refuse' };
    case 'link':
      return { action: 'link', userId: decision.user.id, actor: connectionActor(connection), connectionId: connection.id };
    case 'provision':
      return { action: 'provision', user: decision.user, connectionId: connection.id };
    case 'refuse':
      return undefined;
  }
}
