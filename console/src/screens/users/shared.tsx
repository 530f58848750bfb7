import { ApiError } from '../../api/api-client';

/** The group whose members are administrators: they may sign in to this console and use the management API. */
export const administratorsGroup = 'gatehouse-admins';

/** One sentence on what gatehouse-admins does, wherever groups are chosen. */
export const administratorsNote = `Members of ${administratorsGroup} are administrators: they can sign in to this console and change everything in it.`;

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A moment from the API, in the reader's time zone and language. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

/** The application a session or grant is for, by its name when it is the console itself. */
export function applicationLabel(clientId: string | undefined): string {
  if (clientId === undefined) return '—';
  return clientId === 'gatehouse:console' ? 'Gatehouse console' : clientId;
}

export function StatusBadge({ disabled }: { disabled: boolean }) {
  return disabled ? <span className="badge badge-bad">Disabled</span> : <span className="badge badge-good">Active</span>;
}

export function DeclaredBadge() {
  return <span className="badge" title="Declared in the configuration file">Declared</span>;
}

/** A user's groups as badges; the administrators' group stands out. */
export function GroupBadges({ groups }: { groups: readonly string[] }) {
  if (groups.length === 0) return <span className="muted">None</span>;
  return (
    <span className="badges">
      {groups.map((group) => (
        <span key={group} className={group === administratorsGroup ? 'badge badge-accent' : 'badge'}>{group}</span>
      ))}
    </span>
  );
}

/**
 * The API's messages by field, for a form to show beside each field. A conflict names no field
 * in its details, but its sentence says which one is taken.
 */
export function fieldErrorsOf(error: Error | undefined): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const fields: Record<string, string> = { ...error.fields };
  if (error.code === 'conflict') {
    if (/^user name\b/i.test(error.message)) fields.username ??= error.message;
    else if (/^email\b/i.test(error.message)) fields.email ??= error.message;
  }
  return fields;
}
