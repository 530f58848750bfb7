import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { Outcome, actorText, when } from './format';
import { typeLabel, type AuditEvent } from './types';

/** One event with every field, `details` as formatted JSON, in a modal dialog (Escape closes it). */
export function EventDialog({ event, names, onClose, onFilterUser }: {
  event: AuditEvent; names: ReadonlyMap<string, string | null>; onClose: () => void; onFilterUser: (userId: string) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const element = dialog.current;
    // Once, StrictMode's second run included; unmounting takes the dialog out of the page with its backdrop.
    if (element && !element.open) {
      element.showModal();
      close.current?.focus();
    }
  }, []);
  const userName = event.user_id ? names.get(event.user_id) : undefined;

  return (
    <dialog ref={dialog} className="dialog audit-dialog" aria-labelledby="audit-event-title" onClose={onClose}>
      <div className="dialog-body">
        <p className="audit-dialog-kicker">Audit event</p>
        <h2 id="audit-event-title">{typeLabel(event.type)}</h2>
        <dl className="facts audit-facts">
          <dt>Time</dt>
          <dd><time dateTime={event.occurred_at}>{when(event.occurred_at)}</time> <span className="audit-code">{event.occurred_at}</span></dd>
          <dt>Type</dt><dd><code>{event.type}</code></dd>
          <dt>Result</dt><dd><Outcome event={event} /></dd>
          <dt>Actor</dt>
          <dd>{actorText(event.actor, names)} <span className="audit-code">{event.actor.kind}{event.actor.id ? `: ${event.actor.id}` : ''}</span></dd>
          <dt>User</dt>
          <dd>
            {event.user_id
              ? (
                <>
                  {userName === null ? 'A deleted user' : <Link href={`~/console/users/${encodeURIComponent(event.user_id)}`}>{userName ?? event.user_id}</Link>}
                  <span className="audit-code">{event.user_id}</span>
                </>
              )
              : <span className="audit-none">None</span>}
          </dd>
          <dt>Application</dt>
          <dd>{event.client_id ? <Link href={`~/console/applications/${encodeURIComponent(event.client_id)}`}><code>{event.client_id}</code></Link> : <span className="audit-none">None</span>}</dd>
          <dt>Connection</dt>
          <dd>{event.connection_id ? <Link href={`~/console/connections/${encodeURIComponent(event.connection_id)}`}><code>{event.connection_id}</code></Link> : <span className="audit-none">None</span>}</dd>
          <dt>Client address</dt>
          <dd>{event.client_address ? <code>{event.client_address}</code> : <span className="audit-none">None</span>}</dd>
          <dt>Event ID</dt><dd><code>{event.id}</code></dd>
        </dl>
        <h3 className="audit-details-title">Details</h3>
        <pre className="json" aria-label="Details">{JSON.stringify(event.details, null, 2)}</pre>
      </div>
      <form method="dialog" className="dialog-actions">
        {event.user_id && (
          <button type="button" className="button" onClick={() => onFilterUser(event.user_id!)}>This user's events</button>
        )}
        <button ref={close} type="submit" className="button button-primary">Close</button>
      </form>
    </dialog>
  );
}
