import type { Owner } from '../db/database.js';
import type { UserRow } from '../db/queries/users.js';
import type { Profile } from './user-schema.js';

export type AttributeValue = string | number | boolean | string[];

/** A user as the rest of Gatehouse sees it. */
export interface User {
  id: string;
  username: string;
  email: string | undefined;
  passwordHash: string | undefined;
  profile: Profile;
  groups: string[];
  attributes: Record<string, AttributeValue>;
  disabled: boolean;
  /** The configuration file's (its declaration wins at every start), or the database's. */
  owner: Owner;
  updatedAt: number;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email ?? undefined,
    passwordHash: row.password_hash ?? undefined,
    profile: JSON.parse(row.profile) as Profile,
    groups: JSON.parse(row.groups) as string[],
    attributes: JSON.parse(row.attributes) as Record<string, AttributeValue>,
    disabled: row.disabled === 1,
    owner: row.owner,
    updatedAt: row.updated_at,
  };
}
