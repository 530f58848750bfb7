import type { OidcConnection } from '../../connections/connection.js';
import type { Profile } from '../../users/user-schema.js';

/** The claims an upstream sends about a user, from its id_token and, where that lacks them, its userinfo. */
export type UpstreamClaims = Record<string, unknown>;

/** What Gatehouse keeps of a user's profile from the upstream: the claims its own users carry. */
export interface UpstreamProfile {
  email: string | undefined;
  profile: Pick<Profile, 'name' | 'given_name' | 'family_name' | 'email_verified'>;
  /** Only when the connection names a groups claim and the upstream sent it. */
  groups: string[] | undefined;
}

/** The same limits as users' own fields (user-schema.ts), so that an upstream cannot store more. */
const limits = { name: 300, given_name: 200, family_name: 200, username: 100, email: 320, group: 200 } as const;

function text(claims: UpstreamClaims, name: string, max: number): string | undefined {
  const value = claims[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= max ? trimmed : undefined;
}

/** The user name the connection's `username_claim` gives, if the upstream sent a usable one. */
export const usernameOf = (connection: OidcConnection, claims: UpstreamClaims): string | undefined => text(claims, connection.usernameClaim, limits.username);

/** The address the upstream vouches for: its `email` only with `email_verified: true`. */
export const verifiedEmailOf = (claims: UpstreamClaims): string | undefined =>
  claims.email_verified === true ? text(claims, 'email', limits.email) : undefined;

/** Whether the id_token lacks a claim the connection reads, so that userinfo is worth asking. */
export function lacksClaims(connection: OidcConnection, claims: UpstreamClaims): boolean {
  const read = [connection.usernameClaim, 'email', 'name', ...(connection.groupsClaim ? [connection.groupsClaim] : [])];
  return read.some((name) => claims[name] === undefined);
}

/** The groups claim as a list of names: an array of strings, or one string. */
function groupsOf(connection: OidcConnection, claims: UpstreamClaims): string[] | undefined {
  if (!connection.groupsClaim) return undefined;
  const value = claims[connection.groupsClaim];
  const names = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!names) return undefined;
  return [...new Set(names.filter((name): name is string => typeof name === 'string' && name.length > 0 && name.length <= limits.group))];
}

export function upstreamProfile(connection: OidcConnection, claims: UpstreamClaims): UpstreamProfile {
  const profile: UpstreamProfile['profile'] = {};
  for (const name of ['name', 'given_name', 'family_name'] as const) {
    const value = text(claims, name, limits[name]);
    if (value !== undefined) profile[name] = value;
  }
  // An address the upstream does not vouch for is not kept: stored, it would later match
  // existing_users_only sign-ins of whoever really owns it to this account, and block it for them.
  const email = verifiedEmailOf(claims);
  if (email !== undefined) profile.email_verified = true;
  return { email, profile, groups: groupsOf(connection, claims) };
}
