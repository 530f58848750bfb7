import { createHash } from 'node:crypto';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { createOidcModelQueries } from '../db/queries/oidc-models.js';
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
  const oidcModels = createOidcModelQueries(db);

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

  /**
   * The hash to store for a declared user: an imported hash as is, a clear password checked
   * against the policy. Re-applying the same file is a no-op, so that a hash upgraded at
   * sign-in is not replaced by the imported one it came from.
   */
  async function passwordFieldsFor(
    declaration: Pick<UserDeclaration, 'password' | 'password_hash'>,
    existing: Pick<UserRow, 'password_hash' | 'password_hash_import'> | undefined,
  ): Promise<Pick<UserRow, 'password_hash' | 'password_hash_import'>> {
    const kept = { password_hash: existing?.password_hash ?? null, password_hash_import: existing?.password_hash_import ?? null };
    if (declaration.password_hash) {
      const digest = createHash('sha256').update(declaration.password_hash).digest('hex');
      return digest === kept.password_hash_import ? kept : { password_hash: declaration.password_hash, password_hash_import: digest };
    }
    if (declaration.password === undefined) return kept;
    checkPasswordPolicy(declaration.password, security);
    if (kept.password_hash && (await verifyPassword(kept.password_hash, declaration.password)).ok) return kept;
    return { password_hash: await hashPassword(declaration.password), password_hash_import: null };
  }

  /**
   * Creates or updates a user from its declaration; the user name identifies it. With
   * `createOnly`, an existing user is left exactly as it is (the first administrator: a second
   * instance starting at the same moment must not replace the password the first one printed).
   */
  async function upsertDeclared(declaration: UserDeclaration, { createOnly = false } = {}): Promise<{ id: string; created: boolean }> {
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
      ...(await passwordFieldsFor(declaration, existing)),
      profile: JSON.stringify(profile),
      groups: JSON.stringify(groups),
      attributes: JSON.stringify(attributes),
      disabled: disabled ? 1 : 0,
      updated_at: now,
    };
    const row: UserRow = { id: ids(), created_at: now, ...fields };
    if (!existing && (await users.insertIfAbsent(row))) return { id: row.id, created: true };
    // Present already, or inserted a moment ago by another instance applying the same file.
    const current = existing ?? (await users.findByUsername(normalized))!;
    if (createOnly) return { id: current.id, created: false };
    await users.update(current.id, fields);
    // A disabled user keeps no session, grant or token: introspection must stop calling them active.
    if (disabled && current.disabled === 0) await oidcModels.revokeAccount(current.id);
    return { id: current.id, created: false };
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
