import type { User } from './user.js';

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
