import type { ChangeLog } from '../audit/change-log.js';
import { emailSettingsView } from '../audit/record-views.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db, Owner } from '../db/database.js';
import { inTransaction } from '../db/in-transaction.js';
import { createEmailSettingsQueries, type EmailSettingsRow } from '../db/queries/email-settings.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import type { Clock } from '../runtime/clock.js';
import { bareHost, defaultPorts, type EmailDeclaration, type EmailSettingsInput, type TlsMode } from './email-settings-schema.js';

/** The SMTP settings as the rest of Gatehouse sees them: never the password, only whether there is one. */
export interface EmailSettings {
  /** Null while email is not configured (no host). */
  smtp: {
    host: string;
    port: number;
    tls: TlsMode;
    allowInsecure: boolean;
    user: string | null;
    hasPassword: boolean;
    from: { address: string; name: string | null };
  } | null;
  /** `config_file` while the configuration file declares `email:`: changed there only. */
  owner: Owner;
  updatedAt: number | null;
}

/** What the sender connects with: the settings and the password, opened. */
export interface SmtpCredentials {
  settings: NonNullable<EmailSettings['smtp']>;
  password: string | null;
}

export type EmailSettingsService = ReturnType<typeof createEmailSettingsService>;

/** The sealed password is bound to this context, so that it cannot be moved to another column. */
const passwordContext = 'email_settings.password';

function settingsOf(row: EmailSettingsRow): EmailSettings {
  const configured = row.host !== null && row.port !== null && row.tls_mode !== null && row.from_address !== null;
  return {
    smtp: configured ? {
      host: row.host!,
      port: Number(row.port),
      tls: row.tls_mode as TlsMode,
      allowInsecure: row.allow_insecure === 1,
      user: row.auth_user,
      hasPassword: row.password_sealed !== null,
      from: { address: row.from_address!, name: row.from_name },
    } : null,
    owner: row.owner,
    updatedAt: row.updated_at === null ? null : Number(row.updated_at),
  };
}

/** The row's columns for settings given in full; `password`: a new one (sealed here), null for none, undefined to keep the stored one. */
type Wanted = Omit<EmailSettingsRow, 'updated_at' | 'password_sealed'> & { password: string | null | undefined };

function wantedOf(input: EmailDeclaration | EmailSettingsInput, owner: Owner): Wanted {
  return {
    host: bareHost(input.host),
    port: input.port ?? defaultPorts[input.tls],
    tls_mode: input.tls,
    allow_insecure: input.allow_insecure ? 1 : 0,
    auth_user: input.user ?? null,
    from_address: input.from.address,
    from_name: input.from.name ?? null,
    owner,
    // Without a user there is no authentication, so no password to keep.
    password: input.user === undefined ? null : input.password,
  };
}

/** Whether the password would go elsewhere or as someone else: host, port, TLS mode or user differ. */
function serverChanged(before: EmailSettingsRow, wanted: Wanted): boolean {
  return before.host !== wanted.host || Number(before.port) !== Number(wanted.port) || before.tls_mode !== wanted.tls_mode || before.auth_user !== wanted.auth_user;
}

/**
 * The SMTP settings: one record, read at every send (no copy in memory, so every instance sends
 * with the same), changed through the API or declared by the configuration file. The password is
 * sealed with the master secret, and neither returned nor recorded.
 */
export function createEmailSettingsService({ db, box, clock, changes }: { db: Db; box: SecretBox; clock: Clock; changes: ChangeLog }) {
  const settings = createEmailSettingsQueries(db);

  async function change(actor: Actor, trx: Db, next: (before: EmailSettingsRow) => Wanted, details?: Record<string, unknown>): Promise<EmailSettings> {
    const queries = createEmailSettingsQueries(trx);
    await queries.lock();
    const before = await queries.find();
    const { password, ...wanted } = next(before);
    let passwordSealed = before.password_sealed;
    let passwordChanged = false;
    if (password === null) {
      passwordChanged = before.password_sealed !== null;
      passwordSealed = null;
    } else if (password !== undefined) {
      // A declared password is applied at every start: only a different one is a change.
      passwordChanged = before.password_sealed === null || box.open(before.password_sealed, passwordContext) !== password;
      if (passwordChanged) passwordSealed = box.seal(password, passwordContext);
    }
    const after: EmailSettingsRow = { ...wanted, password_sealed: passwordSealed, updated_at: before.updated_at };
    const beforeView = emailSettingsView(settingsOf(before));
    const afterView = emailSettingsView(settingsOf(after));
    if (!passwordChanged && JSON.stringify(beforeView) === JSON.stringify(afterView)) return settingsOf(before);
    const stored = { ...after, updated_at: clock.now() };
    await queries.update(stored);
    await changes.record(trx, [{
      type: 'email.settings_changed', actor, before: beforeView, after: afterView,
      ...(passwordChanged || details ? { details: { ...details, ...(passwordChanged ? { password_changed: true } : {}) } } : {}),
    }]);
    return settingsOf(stored);
  }

  return {
    get: async (): Promise<EmailSettings> => settingsOf(await settings.find()),

    /** The settings with the password opened, for the sender only; null while not configured. */
    async credentials(): Promise<SmtpCredentials | null> {
      const row = await settings.find();
      const current = settingsOf(row).smtp;
      if (!current) return null;
      return { settings: current, password: row.password_sealed === null ? null : box.open(row.password_sealed, passwordContext) };
    },

    /**
     * Replaces the settings (the password is kept when left out, unless the server or user
     * changes: then it must be given again, invalid_request), recorded as
     * `email.settings_changed`. Refused while the configuration file declares `email:`, whose
     * next start would undo it.
     */
    update: (actor: Actor, input: EmailSettingsInput): Promise<EmailSettings> =>
      inTransaction(db, (trx) => change(actor, trx, (before) => {
        if (before.owner === 'config_file' && actor.kind !== 'config_file') {
          throw new GatehouseError('declared_in_config_file', 'The email settings are declared in the configuration file (email:); change them there.');
        }
        const wanted = wantedOf(input, before.owner);
        // A kept password goes only to the server it was given for: otherwise a caller who may
        // change the settings could point them at its own server and receive the password there.
        if (wanted.password === undefined && before.password_sealed !== null && serverChanged(before, wanted)) {
          throw new GatehouseError('invalid_request', 'Re-enter the password when changing the server (host, port, tls or user).', {
            details: [{ path: 'body.password', message: 're-enter the password when changing the server' }],
          });
        }
        return wanted;
      })),

    /**
     * Applies the configuration file's `email:` section: the file's values, owned by the file. A
     * file without the section hands settings it owned back to the database, values kept.
     */
    declare: (actor: Actor, declaration: EmailDeclaration | undefined): Promise<EmailSettings> =>
      inTransaction(db, (trx) => {
        // A declaration without a password has none: the file states the whole setting.
        if (declaration) return change(actor, trx, () => ({ ...wantedOf(declaration, 'config_file'), password: declaration.password ?? null }));
        return change(actor, trx, (before) => {
          const { password_sealed: _sealed, updated_at: _at, ...kept } = before;
          return { ...kept, owner: 'database', password: undefined };
        }, { released_by_file: true });
      }),
  };
}
