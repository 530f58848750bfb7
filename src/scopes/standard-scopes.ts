/**
 * The scopes Gatehouse defines itself, in the order discovery lists them: those of OpenID
 * Connect Core (§5.4, §11) plus `groups`. Each has the claims it releases and what the consent
 * page says for it; a custom scope may not take one of these names.
 */
export const standardScopes = {
  /**
   * `openid` releases `sub`, `auth_time` and `amr`: every id_token says when and how (RFC 8176:
   * `pwd`, `fed`) the user last proved who they are, whatever the flow, not only when asked.
   */
  openid: { description: 'Confirm who you are', claims: ['sub', 'auth_time', 'amr'] },
  offline_access: { description: 'Keep access while you are not using it (refresh tokens)', claims: [] },
  profile: {
    description: 'See your name and profile details',
    claims: [
      'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username',
      'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
    ],
  },
  email: { description: 'See your email address', claims: ['email', 'email_verified'] },
  phone: { description: 'See your phone number', claims: ['phone_number', 'phone_number_verified'] },
  address: { description: 'See your postal address', claims: ['address'] },
  groups: { description: 'See the groups you belong to', claims: ['groups'] },
  /**
   * The management API's scope (docs/management-api.md): honoured only for an application that
   * names it in its `scope`, and for a user only in the administrators' group.
   */
  'gatehouse:manage': { description: 'Manage this Gatehouse server: its users, applications and keys', claims: [] },
} as const satisfies Record<string, { description: string; claims: readonly string[] }>;

export type StandardScope = keyof typeof standardScopes;

export const standardScopeNames = Object.keys(standardScopes) as StandardScope[];

export function isStandardScope(name: string): name is StandardScope {
  return Object.hasOwn(standardScopes, name);
}
