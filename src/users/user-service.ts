import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { createUserQueries, type UserRow } from '../db/queries/users.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Clock } from '../runtime/clock.js';
import type { IdGenerator } from '../runtime/ids.js';
import { normalizeIdentifier } from './normalize.js';
import { hashPassword, verifyPassword } from './password-hasher.js';
import { checkPasswordPolicy } from './password-policy.js';
import { toUser, type User } from './user.js';
import type { UserDeclaration } from './user-schema.js';

export interface UserServiceDeps {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  security: SecuritySettings;
}

export type UserService = ReturnType<typeof createUserService>;

export function createUserService({ db, clock, ids, security }: UserServiceDeps) {
  const users = createUserQueries(db);

  async function findById(id: string): Promise<User | undefined> {
    const row = await users.findById(id);
    return row && toUser(row);
  }

  /** Finds the user a sign-in identifier names: an email address or a user name, in any case or Unicode form. */
  async function findByIdentifier(identifier: string): Promise<User | undefined> {
    const normalized = normalizeIdentifier(identifier);
    if (!normalized) return undefined;
    const row = (normalized.includes('@') ? await users.findByEmail(normalized) : undefined) ?? (await users.findByUsername(normalized));
    return row && toUser(row);
  }

  /** The hash to store for a declared user: an imported hash as is, a clear password checked against the policy. */
  async function passwordHashFor(declaration: Pick<UserDeclaration, 'password' | 'password_hash'>, existingHash: string | null): Promise<string | null> {
    if (declaration.password_hash) return declaration.password_hash;
    if (declaration.password === undefined) return existingHash;
    checkPasswordPolicy(declaration.password, security);
    // Keeping a hash that already verifies makes re-applying the same file a no-op.
    if (existingHash && (await verifyPassword(existingHash, declaration.password)).ok) return existingHash;
    return hashPassword(declaration.password);
  }

  /** Creates or updates a user from its declaration; the user name identifies it. */
  async function upsertDeclared(declaration: UserDeclaration): Promise<{ id: string; created: boolean }> {
    const { username, email, password: _password, password_hash: _hash, groups, attributes, disabled, ...profile } = declaration;
    const normalized = normalizeIdentifier(username);
    const existing = await users.findByUsername(normalized);
    const normalizedEmail = email ? normalizeIdentifier(email) : null;
    if (normalizedEmail) {
      const owner = await users.findByEmail(normalizedEmail);
      if (owner && owner.id !== existing?.id) {
        throw new GatehouseError('conflict', `email ${normalizedEmail} already belongs to user "${owner.username}"`);
      }
    }
    const now = clock.now();
    const fields = {
      username: username.trim(),
      username_normalized: normalized,
      email: normalizedEmail,
      password_hash: await passwordHashFor(declaration, existing?.password_hash ?? null),
      profile: JSON.stringify(profile),
      groups: JSON.stringify(groups),
      attributes: JSON.stringify(attributes),
      disabled: disabled ? 1 : 0,
      updated_at: now,
    };
    if (existing) {
      await users.update(existing.id, fields);
      return { id: existing.id, created: false };
    }
    const row: UserRow = { id: ids(), created_at: now, ...fields };
    await users.insert(row);
    return { id: row.id, created: true };
  }

  async function setPassword(userId: string, password: string): Promise<void> {
    checkPasswordPolicy(password, security);
    if (!(await users.findById(userId))) throw new GatehouseError('user_not_found', 'no user with that id');
    await users.setPasswordHash(userId, await hashPassword(password), clock.now());
  }

  /** Replaces an imported or outdated hash after a successful sign-in proved the password. */
  async function upgradeHash(userId: string, password: string): Promise<void> {
    await users.setPasswordHash(userId, await hashPassword(password), clock.now());
  }

  return { findById, findByIdentifier, upsertDeclared, setPassword, upgradeHash, count: users.count };
}
