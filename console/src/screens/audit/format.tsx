import type { AuditEvent } from './types';

export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A time in a list: the date over the time of day, so the column stays narrow. */
export function ListTime({ iso }: { iso: string }) {
  const date = new Date(iso);
  return (
    <time dateTime={iso} title={iso} className="audit-time">
      <span>{date.toLocaleDateString(undefined, { dateStyle: 'medium' })}</span>{' '}
      <span>{date.toLocaleTimeString(undefined, { timeStyle: 'medium' })}</span>
    </time>
  );
}

/** The user ids an event names, as actor or subject: their names are looked up. */
export function userIdsOf(event: AuditEvent): string[] {
  const ids: string[] = [];
  if (event.user_id) ids.push(event.user_id);
  if (event.actor.kind === 'user' && event.actor.id) ids.push(event.actor.id);
  if (event.actor.kind === 'api' && event.actor.id?.startsWith('user:')) ids.push(event.actor.id.slice('user:'.length));
  return ids;
}

const nameOr = (names: ReadonlyMap<string, string | null>, id: string) => names.get(id) ?? id;

/** Who did it, in words: a user by name, an application, the configuration file, Gatehouse itself. */
export function actorText(actor: AuditEvent['actor'], names: ReadonlyMap<string, string | null>): string {
  const id = actor.id ?? '';
  switch (actor.kind) {
    case 'user': return id ? nameOr(names, id) : 'A user';
    case 'client': return `Application ${id}`;
    case 'anonymous': return 'Anonymous';
    case 'config_file': return id ? `Configuration file (${id})` : 'Configuration file';
    case 'cli': return id ? `Command line (${id})` : 'Command line';
    case 'api':
      if (id.startsWith('user:')) return `${nameOr(names, id.slice(5))} via API`;
      if (id.startsWith('client:')) return `${id.slice(7)} via API`;
      return `API${id ? ` (${id})` : ''}`;
    case 'system': return id ? `Gatehouse (${id})` : 'Gatehouse';
    default: return id ? `${actor.kind} ${id}` : actor.kind;
  }
}

export function Outcome({ event }: { event: AuditEvent }) {
  return (
    <>
      <span className={event.outcome === 'success' ? 'badge badge-good' : 'badge badge-bad'}>{event.outcome === 'success' ? 'Success' : 'Failure'}</span>
      {event.reason && <span className="audit-reason">{event.reason}</span>}
    </>
  );
}
