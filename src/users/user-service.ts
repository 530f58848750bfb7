import { createHash } from 'node:crypto';
import type { ChangeLog, ManagementChange } from '../audit/change-log.js';
import { userView } from '../audit/record-views.js';
import type { SecuritySettings } from '../config/security-settings.js';
import type { Db } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { createUserQueries, type UserRow } from '../db/queries/users.js';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import type { Sessions } from '../oidc/sessions.js';
import { assertMayChange, ownerFor, type Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import type { IdGenerator } from '../runtime/ids.js';
import { normalizeIdentifier } from './normalize.js';
import type { PasswordHasher } from './password-hasher.js';
import { checkPasswordPolicy } from './password-policy.js';
import { toUser, type AttributeValue, type User } from './user.js';
import type { Profile } from './user-schema.js';

export interface UserServiceDeps {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  security: SecuritySettings;
  hasher: PasswordHasher;
  /** Ends what the engine holds for a user, on the same database handle (and transaction). */
  sessions: (db: Db) => Sessions;
  /** Where each command records its change, in its own transaction. */
  changes: ChangeLog;
}

/** A password in clear (checked against the policy, then hashed) or a hash imported from another system. */
export type Credential = { password: string } | { importedHash: string };

export interface UserFields {
  username: string;
  email: string | undefined;
  profile: Profile;
  groups: string[];
  attributes: Record<string, AttributeValue>;
  disabled: boolean;
}

export type NewUser = Pick<UserFields, 'username'> & Partial<UserFields> & { credential?: Credential };
export type UserChanges = Partial<UserFields> & { credential?: Credential };
/** A user for createImportedUsers: nothing is hashed there, so its credential is an imported hash or none. */
export type ImportedUser = Omit<NewUser, 'credential'> & { credential?: { importedHash: string } };
/** What createImportedUsers did with one user: created it, or left it out because its user name or its email is taken. */
export type ImportOutcome = { outcome: 'created' } | { outcome: 'exists' } | { outcome: 'email_taken'; owner: string | undefined };

type PasswordColumns = Pick<UserRow, 'password_hash' | 'password_hash_import'>;

export type UserService = ReturnType<typeof createUserService>;

/**
 * Users, changed only through these commands; each names its actor and runs in one transaction.
 * A command on its own hashes before its transaction opens, so that no write lock waits on
 * argon2 (inside a larger change, the configuration file's, it hashes within that one).
 */
export function createUserService(deps: UserServiceDeps) {
  const { db, clock, ids, security, hasher, changes: changeLog } = deps;
  const users = createUserQueries(db);
  const created = (actor: Actor, row: UserRow, details?: Record<string, unknown>): ManagementChange =>
    ({ type: 'user.created', actor, subject: { userId: row.id }, after: userView(row), ...(details ? { details } : {}) });

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
   * The password columns a credential leads to. Setting what is stored already changes nothing:
   * re-applying the configuration file must not replace a hash upgraded at sign-in by the
   * imported one it came from, nor rehash an unchanged password.
   */
  async function passwordColumns(credential: Credential, existing: PasswordColumns | undefined): Promise<PasswordColumns | undefined> {
    if ('importedHash' in credential) {
      const digest = createHash('sha256').update(credential.importedHash).digest('hex');
      return digest === existing?.password_hash_import ? undefined : { password_hash: credential.importedHash, password_hash_import: digest };
    }
    const stored = existing?.password_hash;
    const unchanged = stored ? (await hasher.verify(stored, credential.password)).ok : false;
    // One Gatehouse stored passed the policy when it was set: re-applying the file at each start
    // does not check it again (nor load the blocklist, 17 MB and a tenth of a second). An imported
    // hash's password never met the policy, so naming it in clear is checked like a new one.
    if (unchanged && existing?.password_hash_import === null) return undefined;
    checkPasswordPolicy(credential.password, security);
    if (unchanged) return undefined;
    return { password_hash: await hasher.hash(credential.password), password_hash_import: null };
  }

  async function assertEmailFree(queries: ReturnType<typeof createUserQueries>, email: string | null, userId: string | undefined): Promise<void> {
    if (!email) return;
    const owner = await queries.findByEmail(email);
    if (owner && owner.id !== userId) throw new GatehouseError('conflict', `email ${email} already belongs to user "${owner.username}"`);
  }

  /** The user a command changes, refused when absent or not the actor's to change. */
  async function forChange(queries: ReturnType<typeof createUserQueries>, actor: Actor, id: string): Promise<UserRow> {
    const current = await queries.findById(id);
    if (!current) throw new GatehouseError('user_not_found', 'no user with that id');
    assertMayChange(actor, current.owner, `user "${current.username}"`);
    return current;
  }

  /** The check before a write cannot see a concurrent writer's email; its unique index can. */
  async function emailTakenMeanwhile<T>(write: () => Promise<T>, email: string | null): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (email && isUniqueViolation(error)) throw new GatehouseError('conflict', `email ${email} already belongs to another user`, { cause: error });
      throw error;
    }
  }

  function columnsOf(fields: Partial<UserFields>): Partial<UserRow> {
    const columns: Partial<UserRow> = {};
    if (fields.username !== undefined) Object.assign(columns, { username: fields.username.trim(), username_normalized: normalizeIdentifier(fields.username) });
    if ('email' in fields) columns.email = fields.email ? normalizeIdentifier(fields.email) : null;
    if (fields.profile !== undefined) columns.profile = JSON.stringify(fields.profile);
    if (fields.groups !== undefined) columns.groups = JSON.stringify(fields.groups);
    if (fields.attributes !== undefined) columns.attributes = JSON.stringify(fields.attributes);
    if (fields.disabled !== undefined) columns.disabled = fields.disabled ? 1 : 0;
    return columns;
  }

  /** A new user's row: created by this actor, at this time, with these password columns. */
  function newRow(actor: Actor, input: NewUser | ImportedUser, password: PasswordColumns | undefined, now: number): UserRow {
    return {
      id: ids(),
      username: '', username_normalized: '', email: null,
      password_hash: null, password_hash_import: null,
      profile: '{}', groups: '[]', attributes: '{}', disabled: 0,
      ...columnsOf(input),
      ...password,
      owner: ownerFor(actor),
      created_at: now,
      updated_at: now,
    };
  }

  /**
   * Creates a user. A user name taken already is a conflict, or, with `existing: 'keep'`, leaves
   * that user as it is and reports `created: false` (another instance applying the same file, or
   * starting at the same moment, inserted it first).
   */
  async function createUser(actor: Actor, input: NewUser, { existing = 'fail' }: { existing?: 'fail' | 'keep' } = {}): Promise<{ user: User; created: boolean }> {
    const password = input.credential ? await passwordColumns(input.credential, undefined) : undefined;
    return inTransaction(db, async (trx) => {
      const queries = createUserQueries(trx);
      const row = newRow(actor, input, password, clock.now());
      const taken = await queries.findByUsername(row.username_normalized);
      if (!taken) await assertEmailFree(queries, row.email, undefined);
      if (!taken && (await emailTakenMeanwhile(() => queries.insertIfAbsent(row), row.email))) {
        await changeLog.record(trx, [created(actor, row)]);
        return { user: toUser(row), created: true };
      }
      const current = taken ?? (await queries.findByUsername(row.username_normalized))!;
      if (existing === 'keep') return { user: toUser(current), created: false };
      throw new GatehouseError('conflict', `user name "${current.username}" is taken`);
    });
  }

  /**
   * Creates a batch of users at once, for `gatehouse users import`: one transaction, one query
   * for the names and emails taken, one insert, nothing hashed. Each user is created whole or
   * left out: `exists` when its user name is taken (that user is left exactly as it is),
   * `email_taken` when its email belongs to another user. When a concurrent writer takes a name
   * or an email between the check and the insert, the batch is undone and its users are created
   * one by one, each in its own transaction.
   */
  async function createImportedUsers(actor: Actor, batch: ImportedUser[]): Promise<ImportOutcome[]> {
    const now = clock.now();
    const rows: UserRow[] = [];
    for (const input of batch) rows.push(newRow(actor, input, input.credential && (await passwordColumns(input.credential, undefined)), now));
    try {
      return await inTransaction(db, async (trx) => {
        const queries = createUserQueries(trx);
        const taken = await queries.findTaken(rows.map((row) => row.username_normalized), rows.flatMap((row) => (row.email ? [row.email] : [])));
        const outcomes = rows.map((row): ImportOutcome => {
          if (taken.usernames.has(row.username_normalized)) return { outcome: 'exists' };
          if (row.email !== null && taken.emails.has(row.email)) return { outcome: 'email_taken', owner: taken.emails.get(row.email) };
          return { outcome: 'created' };
        });
        const inserted = rows.filter((_, index) => outcomes[index]!.outcome === 'created');
        await queries.insertMany(inserted);
        await changeLog.record(trx, inserted.map((row) => created(actor, row, { imported: true })));
        return outcomes;
      });
    } catch (error) {
      // Inside a caller's transaction the failed insert has spoiled it (PostgreSQL): only the caller can start again.
      if (db.isTransaction || !isUniqueViolation(error)) throw error;
      const outcomes: ImportOutcome[] = [];
      for (const input of batch) outcomes.push(await createImportedUser(actor, input));
      return outcomes;
    }
  }

  async function createImportedUser(actor: Actor, input: ImportedUser): Promise<ImportOutcome> {
    try {
      const { created } = await createUser(actor, input, { existing: 'keep' });
      return created ? { outcome: 'created' } : { outcome: 'exists' };
    } catch (error) {
      if (!(isGatehouseError(error) && error.code === 'conflict') || input.email === undefined) throw error;
      return { outcome: 'email_taken', owner: (await users.findByEmail(normalizeIdentifier(input.email)))?.username };
    }
  }

  /**
   * Changes a user; disabling one ends every session, grant and token it holds. A change given as
   * a function of the stored user (add a group, merge profile claims) is computed under the row's
   * lock, so that two made at once both apply instead of the later undoing the earlier.
   */
  async function updateUser(actor: Actor, id: string, changes: UserChanges | ((current: User) => Partial<UserFields>)): Promise<User> {
    const before = await users.findById(id);
    if (!before) throw new GatehouseError('user_not_found', 'no user with that id');
    const password = typeof changes !== 'function' && changes.credential ? await passwordColumns(changes.credential, before) : undefined;
    return inTransaction(db, async (trx) => {
      const queries = createUserQueries(trx);
      if (typeof changes === 'function') await queries.lock(id);
      const current = await forChange(queries, actor, id);
      const given = typeof changes === 'function' ? changes(toUser(current)) : changes;
      const columns: Partial<UserRow> = { ...columnsOf(given), ...password };
      if (actor.kind === 'config_file') columns.owner = 'config_file';
      // Setting what is stored changes nothing, updated_at (a claim) included: re-applying the file at a start is no edit.
      if (Object.entries(columns).every(([name, value]) => current[name as keyof UserRow] === value)) return toUser(current);
      if (columns.email !== undefined) await assertEmailFree(queries, columns.email, id);
      if (columns.username_normalized !== undefined && columns.username_normalized !== current.username_normalized) {
        if (await queries.findByUsername(columns.username_normalized)) throw new GatehouseError('conflict', `user name "${columns.username}" is taken`);
      }
      columns.updated_at = clock.now();
      await emailTakenMeanwhile(() => queries.update(id, columns), columns.email ?? null);
      const disabling = columns.disabled === 1 && current.disabled === 0;
      if (disabling) await deps.sessions(trx).endAllOf(id);
      const after = { ...current, ...columns };
      await changeLog.record(trx, [{
        type: disabling ? 'user.disabled' : columns.disabled === 0 && current.disabled === 1 ? 'user.enabled' : 'user.updated',
        actor, subject: { userId: id }, before: userView(current), after: userView(after),
        details: {
          // Whether, never what: a password is never in the audit log, nor its hash.
          ...(password && password.password_hash !== current.password_hash ? { password_changed: true } : {}),
          ...(disabling ? { sessions_ended: true } : {}),
        },
      }]);
      return toUser(after);
    });
  }

  async function deleteUser(actor: Actor, id: string): Promise<void> {
    await inTransaction(db, async (trx) => {
      const queries = createUserQueries(trx);
      const current = await forChange(queries, actor, id);
      await deps.sessions(trx).endAllOf(id);
      await queries.remove(id);
      await changeLog.record(trx, [{ type: 'user.deleted', actor, subject: { userId: id }, before: userView(current), details: { sessions_ended: true } }]);
    });
  }

  return {
    findById,
    findByIdentifier,
    /** By user name alone, in any case or Unicode form: how the configuration file names users. */
    findByUsername: async (username: string): Promise<User | undefined> => {
      const row = await users.findByUsername(normalizeIdentifier(username));
      return row && toUser(row);
    },
    count: users.count,
    firstCreatedId: users.firstCreatedId,
    /** A page of every user, in order of the normalized user name, after the one given (normalized): `gatehouse config export`. */
    listAfter: async (afterNormalized: string | undefined, limit: number): Promise<User[]> => (await users.listAfter(afterNormalized, limit)).map(toUser),
    /** The stored rows, timestamps included, for the management API; candidates of a filter, which the caller confirms. */
    rowsAfter: users.listAfter,
    findRow: users.findById,
    /** The members of a group, disabled ones included. */
    inGroup: async (group: string): Promise<User[]> => (await users.inGroupCandidates(group)).map(toUser).filter((user) => user.groups.includes(group)),
    createUser,
    createImportedUsers,
    updateUser,
    disableUser: (actor: Actor, id: string) => updateUser(actor, id, { disabled: true }),
    enableUser: (actor: Actor, id: string) => updateUser(actor, id, { disabled: false }),
    deleteUser,
    setPassword: async (actor: Actor, id: string, password: string): Promise<void> => {
      checkPasswordPolicy(password, security);
      const hash = await hasher.hash(password);
      await inTransaction(db, async (trx) => {
        const queries = createUserQueries(trx);
        await forChange(queries, actor, id);
        // The imported hash's digest stays: re-applying the file must not undo this password.
        await queries.setPasswordHash(id, hash, clock.now());
        await changeLog.record(trx, [{ type: 'user.password_set', actor, subject: { userId: id } }]);
      });
    },
    /** What the engine holds for the user now: sessions and grants, never a token or cookie. */
    sessionsOf: (id: string) => deps.sessions(db).listOf(id, clock.now()),
    /** Ends every session, grant and token of the user at once, whoever owns the record: nothing of it changes. */
    endSessions: (actor: Actor, id: string): Promise<void> =>
      inTransaction(db, async (trx) => {
        if (!(await createUserQueries(trx).findById(id))) throw new GatehouseError('user_not_found', 'no user with that id');
        await deps.sessions(trx).endAllOf(id);
        await changeLog.record(trx, [{ type: 'session.ended', actor, subject: { userId: id }, details: { all_sessions: true } }]);
      }),
    /** Replaces an imported or outdated hash after a successful sign-in proved the password. */
    upgradeHash: async (id: string, password: string): Promise<void> => {
      await users.setPasswordHash(id, await hasher.hash(password), clock.now());
    },
  };
}
