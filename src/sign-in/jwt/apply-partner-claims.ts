import type { JwtConnection } from '../../connections/connection.js';
import type { Actor } from '../../runtime/actor.js';
import { groupsFromConnection } from '../../users/connection-groups.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import type { User } from '../../users/user.js';
import type { UserChanges, UserService } from '../../users/user-service.js';
import type { PartnerClaims } from './partner-claims.js';
import { namesOver, ownerOfEmail } from './partner-profile.js';

export const partnerActor = (connection: Pick<JwtConnection, 'id'>): Actor => ({ kind: 'system', reason: `sign-in through connection ${connection.id}` });

/**
 * The token's claims on an existing user, at each sign-in: a claim present overwrites, one left
 * out leaves the stored value (seed 003); `groups` present makes the membership exactly that
 * list, but for the groups no connection grants or takes (connection-groups.ts). An address another user has stays theirs, and a new address drops the verification the
 * old one had. A user the configuration file declares keeps the file's profile: the next start
 * would undo the partner's anyway.
 */
export async function applyPartnerClaims(users: Pick<UserService, 'findByIdentifier' | 'updateUser'>, user: User, connection: JwtConnection, claims: PartnerClaims): Promise<User> {
  if (user.owner === 'config_file') return user;
  const sameEmail = claims.email !== undefined && normalizeIdentifier(claims.email) === user.email;
  const newEmail = claims.email !== undefined && !sameEmail && (await ownerOfEmail(users, claims.email)) === undefined;
  const { email_verified: verified, ...profile } = namesOver(user.profile, claims);
  const changes: UserChanges = {
    profile: newEmail || verified === undefined ? profile : { ...profile, email_verified: verified },
    ...(newEmail ? { email: claims.email } : {}),
    ...(claims.groups ? { groups: groupsFromConnection(user.groups, claims.groups) } : {}),
  };
  return users.updateUser(partnerActor(connection), user.id, changes);
}
