import { createHash, randomInt } from 'node:crypto';
import { defaults } from '../../config/defaults.js';
import { partnerIssuer, type JwtConnection } from '../../connections/connection.js';
import type { IdentityKey } from '../../users/identity-service.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import type { User } from '../../users/user.js';
import type { Profile } from '../../users/user-schema.js';
import type { UserService } from '../../users/user-service.js';
import type { PartnerClaims } from './partner-claims.js';

export const identityOf = (connection: Pick<JwtConnection, 'id'>, claims: PartnerClaims): IdentityKey | undefined =>
  claims.sub === undefined ? undefined : { issuer: partnerIssuer(connection), subject: claims.sub };

/** The bounds of users' own fields (user-schema.ts): what a partner's claims make of a user stays within them. */
const limits = { username: 100, name: 300 } as const;

/** The seed's rule for a person the token names no name for: "SsoVisitor" and a few random characters. */
export function visitorProfile(): Profile {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const suffix = Array.from({ length: defaults.jwtSso.visitorSuffixLength }, () => alphabet[randomInt(alphabet.length)]).join('');
  return { given_name: 'SsoVisitor', family_name: suffix, name: `SsoVisitor ${suffix}` };
}

/** The names the token carries over what is stored: a claim left out leaves its value, and `name` follows the two. */
export function namesOver(profile: Profile, claims: PartnerClaims): Profile {
  if (claims.given_name === undefined && claims.family_name === undefined) return profile;
  const given = claims.given_name ?? profile.given_name;
  const family = claims.family_name ?? profile.family_name;
  return { ...profile, given_name: given, family_name: family, name: [given, family].filter(Boolean).join(' ').slice(0, limits.name) };
}

/**
 * A new user's name: the address, else one made from the connection and the partner's id; one
 * that would not fit a user name is made from a hash of the id or address instead.
 */
export function usernameFor(connection: Pick<JwtConnection, 'id'>, claims: PartnerClaims): string {
  const plain = claims.email ?? `${connection.id}.${claims.sub}`;
  if (plain.length <= limits.username) return plain;
  return `${connection.id}.${createHash('sha256').update(claims.sub ?? claims.email ?? '').digest('hex').slice(0, 32)}`;
}

/** The user whose email is exactly this address (findByIdentifier would also take a user name). */
export async function ownerOfEmail(users: Pick<UserService, 'findByIdentifier'>, email: string): Promise<User | undefined> {
  const user = await users.findByIdentifier(email);
  return user?.email === normalizeIdentifier(email) ? user : undefined;
}
