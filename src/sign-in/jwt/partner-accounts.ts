import { createHash, randomInt } from 'node:crypto';
import { defaults } from '../../config/defaults.js';
import type { JwtConnection } from '../../connections/connection.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import type { Actor } from '../../runtime/actor.js';
import type { IdentityKey, IdentityService } from '../../users/identity-service.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import type { User } from '../../users/user.js';
import type { Profile } from '../../users/user-schema.js';
import type { NewUser, UserChanges, UserService } from '../../users/user-service.js';
import type { PartnerClaims } from './partner-claims.js';

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
  | { kind: 'refuse'; reason: string };

export interface PartnerAccountDeps {
  identities: Pick<IdentityService, 'userFor' | 'listFor'>;
  users: Pick<UserService, 'findByIdentifier' | 'findByUsername' | 'createUser' | 'updateUser'>;
}

/** The identities a partner's connection vouches for: its own issuer, so that two partners' subjects never meet. */
export const partnerIssuer = (connection: Pick<JwtConnection, 'id'>) => `urn:gatehouse:connection:${connection.id}`;

const identityOf = (connection: JwtConnection, claims: PartnerClaims): IdentityKey | undefined =>
  claims.sub === undefined ? undefined : { issuer: partnerIssuer(connection), subject: claims.sub };

/** The seed's rule for a person the token names no name for: "SsoVisitor" and a few random characters. */
function visitorProfile(): Profile {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const suffix = Array.from({ length: defaults.jwtSso.visitorSuffixLength }, () => alphabet[randomInt(alphabet.length)]).join('');
  return { given_name: 'SsoVisitor', family_name: suffix, name: `SsoVisitor ${suffix}` };
}

/** The names the token carries over what is stored: a claim left out leaves its value, and `name` follows the two. */
function namesOver(profile: Profile, claims: PartnerClaims): Profile {
  if (claims.given_name === undefined && claims.family_name === undefined) return profile;
  const given = claims.given_name ?? profile.given_name;
  const family = claims.family_name ?? profile.family_name;
  return { ...profile, given_name: given, family_name: family, name: [given, family].filter(Boolean).join(' ') };
}

/** A new user's name: the address, else one made from the connection and the partner's id, within the 100 characters a user name may have. */
function usernameFor(connection: JwtConnection, claims: PartnerClaims): string {
  if (claims.email !== undefined) return claims.email;
  const plain = `${connection.id}.${claims.sub}`;
  return plain.length <= 100 ? plain : `${connection.id}.${createHash('sha256').update(claims.sub ?? '').digest('hex').slice(0, 32)}`;
}

/** The local accounts of partners' users: which one a token is, making it so, and keeping it as the token says. */
export function createPartnerAccounts({ identities, users }: PartnerAccountDeps) {
  /** The user whose email is exactly this address (findByIdentifier would also take a user name). */
  async function ownerOfEmail(email: string): Promise<User | undefined> {
    const user = await users.findByIdentifier(email);
    return user?.email === normalizeIdentifier(email) ? user : undefined;
  }

  async function decide(connection: JwtConnection, claims: PartnerClaims): Promise<PartnerDecision> {
    const identity = identityOf(connection, claims);
    const linked = identity && (await identities.userFor(identity, { action: 'refuse' }));
    if (linked) return { kind: 'linked', user: linked };
    const byEmail = claims.email === undefined ? undefined : await ownerOfEmail(claims.email);
    if (byEmail) {
      // Another partner user's account is never taken over by an address: the sub linked to it is who it is.
      const taken = identity !== undefined && (await identities.listFor(byEmail.id)).some((link) => link.issuer === identity.issuer);
      if (taken) return { kind: 'refuse', reason: `The account for ${claims.email} here belongs to another ${connection.name} user, so it cannot be yours as well. Ask an administrator.` };
      if (byEmail.disabled) return { kind: 'refuse', reason: 'That account here is disabled. Ask an administrator.' };
      return { kind: 'matched', user: byEmail };
    }
    const shownAs = claims.email ?? claims.sub;
    if (connection.provisioning === 'existing_users_only') {
      return { kind: 'refuse', reason: `${connection.name} signed you in as ${shownAs}, but only people who already have an account here may sign in with ${connection.name}. Ask an administrator to create your account.` };
    }
    const username = usernameFor(connection, claims);
    if (await users.findByUsername(username)) {
      return { kind: 'refuse', reason: `An account named "${username}" exists here already and is not linked to your ${connection.name} account, so it is not handed over. Ask an administrator.` };
    }
    const names = namesOver({}, claims);
    return {
      kind: 'provision',
      user: { username, email: claims.email, profile: names.name ? names : visitorProfile(), ...(claims.groups ? { groups: claims.groups } : {}) },
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
        return identity ? identities.userFor(identity, { action: 'link', userId: decision.user.id }) : decision.user;
      case 'provision':
        return identity ? identities.userFor(identity, { action: 'provision', user: decision.user }) : createUnlinked(connection, claims, decision.user);
    }
  }

  /** A person without `sub` has nothing to link; a concurrent first sign-in with the same address created them first. */
  async function createUnlinked(connection: JwtConnection, claims: PartnerClaims, newUser: NewUser): Promise<User | undefined> {
    try {
      return (await users.createUser(actorFor(connection), newUser)).user;
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'conflict' && claims.email !== undefined) return ownerOfEmail(claims.email);
      throw error;
    }
  }

  /**
   * The token's claims on an existing user: a claim present overwrites, one left out leaves the
   * stored value (seed 003); `groups` present makes the membership exactly that list. An address
   * another user has stays theirs. A user the configuration file declares keeps the file's
   * profile: the next start would undo the partner's anyway.
   */
  async function follow(user: User, connection: JwtConnection, claims: PartnerClaims): Promise<User> {
    if (user.owner === 'config_file') return user;
    const sameEmail = claims.email !== undefined && normalizeIdentifier(claims.email) === user.email;
    const mayTakeEmail = claims.email !== undefined && (sameEmail || (await ownerOfEmail(claims.email)) === undefined);
    const { email_verified: verified, ...profile } = namesOver(user.profile, claims);
    const changes: UserChanges = {
      // Whoever verified the old address did not verify the new one.
      profile: mayTakeEmail && !sameEmail ? profile : { ...profile, ...(verified === undefined ? {} : { email_verified: verified }) },
      ...(mayTakeEmail ? { email: claims.email } : {}),
      ...(claims.groups ? { groups: claims.groups } : {}),
    };
    return users.updateUser(actorFor(connection), user.id, changes);
  }

  return { decide, carryOut, follow };
}

export type PartnerAccounts = ReturnType<typeof createPartnerAccounts>;

const actorFor = (connection: JwtConnection): Actor => ({ kind: 'system', reason: `sign-in through connection ${connection.id}` });
