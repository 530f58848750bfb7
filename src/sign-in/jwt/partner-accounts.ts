import { partnerIssuer, type JwtConnection } from '../../connections/connection.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import type { AccountRefusal } from '../account-refusal.js';
import { groupsFromConnection, mayBeMatchedByConnection } from '../../users/connection-groups.js';
import type { IdentityService } from '../../users/identity-service.js';
import type { User } from '../../users/user.js';
import type { NewUser, UserService } from '../../users/user-service.js';
import { partnerActor } from './apply-partner-claims.js';
import type { PartnerClaims } from './partner-claims.js';
import { identityOf, namesOver, ownerOfEmail, usernameFor, visitorProfile } from './partner-profile.js';

/**
 * Which local user a partner's token signs in as (seed 003): the user linked to its `sub` at
 * this connection; else the user with its `email`, linked to the `sub` from now on, so that a
 * later change of address keeps the account; else a new user (`create`) or nobody
 * (`existing_users_only`).
 */
export type PartnerDecision =
  | { kind: 'linked'; user: User }
  | { kind: 'matched'; user: User }
  | { kind: 'provision'; user: NewUser }
  | { kind: 'refuse'; reason: AccountRefusal };

export interface PartnerAccountDeps {
  identities: Pick<IdentityService, 'userFor' | 'listFor'>;
  users: Pick<UserService, 'findByIdentifier' | 'findByUsername' | 'createUser'>;
}

/** The local accounts of partners' users: which one a token is, and making it so. */
export function createPartnerAccounts({ identities, users }: PartnerAccountDeps) {
  const ownerOf = (email: string) => ownerOfEmail(users, email);

  async function decide(connection: JwtConnection, claims: PartnerClaims): Promise<PartnerDecision> {
    const identity = identityOf(connection, claims);
    const linked = identity && (await identities.userFor(identity, { action: 'refuse' }));
    if (linked) return { kind: 'linked', user: linked };
    const { email } = claims;
    const byEmail = email === undefined ? undefined : await ownerOf(email);
    if (byEmail && email !== undefined) {
      // An account linked to a partner's id is that id's: an address never takes it over, and neither does a token that names no id.
      const taken = (await identities.listFor(byEmail.id)).some((link) => link.issuer === partnerIssuer(connection));
      if (taken) return { kind: 'refuse', reason: { key: 'accountRefused.takenByPartnerId', params: { email, connection: connection.name } } };
      if (byEmail.disabled) return { kind: 'refuse', reason: { key: 'accountRefused.disabled', params: {} } };
      if (!mayBeMatchedByConnection(byEmail)) return { kind: 'refuse', reason: { key: 'accountRefused.administratorByAddress', params: { email } } };
      return { kind: 'matched', user: byEmail };
    }
    // A token that names neither was refused before (partner-claims.ts).
    const shownAs = claims.email ?? claims.sub ?? '';
    if (connection.provisioning === 'existing_users_only') {
      return { kind: 'refuse', reason: { key: 'accountRefused.onlyExisting', params: { connection: connection.name, shownAs } } };
    }
    const username = usernameFor(connection, claims);
    if (await users.findByUsername(username)) {
      return { kind: 'refuse', reason: { key: 'accountRefused.notLinked', params: { username, connection: connection.name } } };
    }
    const names = namesOver({}, claims);
    return {
      kind: 'provision',
      user: { username, email: claims.email, profile: names.name ? names : visitorProfile(), ...(claims.groups ? { groups: groupsFromConnection([], claims.groups) } : {}) },
    };
  }

  /** Carries a decision out: the user the token signs in as; undefined when another request linked the identity elsewhere meanwhile. */
  async function carryOut(connection: JwtConnection, claims: PartnerClaims, decision: PartnerDecision): Promise<User | undefined> {
    const identity = identityOf(connection, claims);
    switch (decision.kind) {
      case 'refuse':
        return undefined;
      case 'linked':
        return decision.user;
      case 'matched':
        return identity ? identities.userFor(identity, { action: 'link', userId: decision.user.id, actor: partnerActor(connection), connectionId: connection.id }) : decision.user;
      case 'provision':
        return identity ? identities.userFor(identity, { action: 'provision', user: decision.user, connectionId: connection.id }) : createUnlinked(connection, claims, decision.user);
    }
  }

  /** A person without `sub` has nothing to link; a concurrent first sign-in with the same address created them first. */
  async function createUnlinked(connection: JwtConnection, claims: PartnerClaims, newUser: NewUser): Promise<User | undefined> {
    try {
      return (await users.createUser(partnerActor(connection), newUser)).user;
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'conflict' && claims.email !== undefined) return ownerOf(claims.email);
      throw error;
    }
  }

  return { decide, carryOut };
}

export type PartnerAccounts = ReturnType<typeof createPartnerAccounts>;
