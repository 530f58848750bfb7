/** The management API's user (GET /api/v1/users/{id}), only the fields the console shows or changes. */
export interface User {
  id: string;
  username: string;
  email?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  picture?: string;
  website?: string;
  email_verified?: boolean;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
  groups: string[];
  attributes: Record<string, string | number | boolean | string[]>;
  disabled: boolean;
  has_password: boolean;
  declared: boolean;
  created_at: string;
  updated_at: string;
}

/** GET /api/v1/users/{id}/sessions. */
export interface UserSessions {
  sessions: {
    id: string;
    client_ids: string[];
    amr?: string[];
    signed_in_at?: string;
    created_at?: string;
    expires_at: string | null;
  }[];
  grants: {
    id: string;
    client_id?: string;
    scope?: string;
    created_at?: string;
    expires_at: string | null;
  }[];
}

/** GET /api/v1/users/{id}/identities. */
export interface LinkedIdentity {
  id: string;
  issuer: string;
  subject: string;
  linked_at: string;
}

/** GET /api/v1/groups. */
export interface Group {
  name: string;
  members: number;
}

/** GET /api/v1/groups/{name}/members. */
export interface GroupMember {
  id: string;
  username: string;
  email: string | null;
  disabled: boolean;
  declared: boolean;
}

/** GET /api/v1/users/{id}/factors: one second factor, never its secret. */
export interface SecondFactor {
  /** `totp`, `recovery-codes`, or a passkey's credential id (base64url): what DELETE names. */
  id: string;
  type: 'totp' | 'passkey' | 'recovery_codes';
  name: string;
  created_at: string;
  last_used_at: string | null;
  /** Recovery codes: how many are left unused. */
  remaining?: number;
  /** Passkeys: multiDevice for one that syncs between devices. */
  device_type?: 'singleDevice' | 'multiDevice';
  backed_up?: boolean;
}
