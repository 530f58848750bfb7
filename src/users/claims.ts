import type { User } from './user.js';

/** The claims each standard scope releases (OpenID Connect Core §5.4), plus Gatehouse's `groups`. */
export const standardScopeClaims: Record<string, string[]> = {
  profile: [
    'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username',
    'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  groups: ['groups'],
};

/** Every claim the user has: standard profile fields first, then attributes for custom claims. */
export function userClaims(user: User): Record<string, unknown> {
  const standard: Record<string, unknown> = {
    ...user.profile,
    preferred_username: user.profile.preferred_username ?? user.username,
    email: user.email,
    email_verified: user.email ? (user.profile.email_verified ?? false) : undefined,
    updated_at: Math.floor(user.updatedAt / 1000),
    groups: user.groups,
  };
  const claims: Record<string, unknown> = { ...user.attributes };
  for (const [name, value] of Object.entries(standard)) {
    if (value !== undefined) claims[name] = value;
  }
  claims.sub = user.id;
  return claims;
}
