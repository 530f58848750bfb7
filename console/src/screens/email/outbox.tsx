import { useState } from 'react';
import { api, query, type Page as Listing } from '../../api/api-client';
import { SelectField } from '../../ui/fields';
import { Section } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { templateLabel, type OutboxMessage, type OutboxStatus } from './types';

const pageSize = 50;

const statusBadge: Record<OutboxStatus, { label: string; className: string; title: string }> = {
  queued: { label: 'Queued', className: 'badge', title: 'Waiting for its first try or a retry' },
  sending: { label: 'Sending', className: 'badge badge-accent', title: 'An instance is sending it now' },
  sent: { label: 'Sent', className: 'badge badge-good', title: 'The mail server accepted it' },
  failed: { label: 'Failed', className: 'badge badge-bad', title: 'Given up after the last try' },
};

const statusOptions = [
  { value: '', label: 'Every status' },
  { value: 'queued', label: 'Queued' },
  { value: 'sending', label: 'Sending' },
  { value: 'sent', label: 'Sent' },
  { value: 'failed', label: 'Failed' },
] as const;

/** A time in the list: the date over the time of day, so the column stays narrow. */
function Time({ iso }: { iso: string }) {
  const date = new Date(iso);
  return (
    <time className="email-when" dateTime={iso} title={iso}>
      <span>{date.toLocaleDateString(undefined, { dateStyle: 'medium' })}</span>{' '}
      <span>{date.toLocaleTimeString(undefined, { timeStyle: 'medium' })}</span>
    </time>
  );
}

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const none = <span className="email-muted">None</span>;

/** The outbox, newest first: what was sent, what waits for a retry and why, what was given up. Never a message's content. */
export function Outbox({ configured }: { configured: boolean | undefined }) {
  const [status, setStatus] = useState<OutboxStatus | ''>('');
  const [round, setRound] = useState(0);
  const narrow = (next: OutboxStatus | '') => {
    setStatus(next);
    setRound((n) => n + 1);
  };
  return (
    <Section
      title="Outbox"
      actions={(
        <div className="email-outbox-tools">
          <SelectField label="Show" value={status} onChange={narrow} options={statusOptions} />
          <button type="button" className="button" onClick={() => setRound((n) => n + 1)}>Refresh</button>
        </div>
      )}
    >
      <p className="field-hint email-outbox-intro">Every message is stored here first and sent from here, retried while the mail server cannot be reached (after 30 seconds, then 1, 2, 4… minutes) and given up after 10 tries. Sent and failed messages are listed for 30 days.</p>
      <Messages key={`${status}#${round}`} status={status} configured={configured} onShowAll={() => narrow('')} />
    </Section>
  );
}

/** One narrowed view, page after page: older pages by their cursors, newer ones by going back. */
function Messages({ status, configured, onShowAll }: { status: OutboxStatus | ''; configured: boolean | undefined; onShowAll: () => void }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useLoad(() => api<Listing<OutboxMessage>>('GET', `/email/outbox${query({ status, cursor, limit: pageSize })}`), [cursor]);
  const shown = page.loading ? undefined : page.data;

  return (
    <>
      <ErrorNotice error={page.error} />
      {!shown && !page.error && <Loading rows={4} />}
      {shown && shown.items.length === 0 && (
        status
          ? (
            <EmptyState title={`No ${statusBadge[status].label.toLowerCase()} messages`} action={<button type="button" className="button" onClick={onShowAll}>Show every status</button>}>
              None of the messages of the last 30 days is in this state.
            </EmptyState>
          )
          : (
            <EmptyState title="No messages yet">
              {configured === false
                ? 'Nothing can be sent until the SMTP settings above are saved. Then password reset links, verification links and account notices appear here with what became of each.'
                : 'Password reset links, verification links, account notices and test messages appear here with what became of each: run gatehouse mail test ADDRESS to send the first one.'}
            </EmptyState>
          )
      )}
      {shown && shown.items.length > 0 && (
        <table className="list email-list" aria-label="Outbox">
          <thead>
            <tr>
              <th scope="col">When</th><th scope="col">To</th><th scope="col">What</th><th scope="col">Status</th>
              <th scope="col">Attempts</th><th scope="col">Next attempt</th><th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {shown.items.map((message) => {
              const badge = statusBadge[message.status];
              return (
                <tr key={message.id}>
                  <td data-label="When"><Time iso={message.created_at} /></td>
                  <td data-label="To">{message.recipient}</td>
                  <td data-label="What"><span>{templateLabel(message.template)}<span className="email-code">{message.template} · {message.locale}</span></span></td>
                  <td data-label="Status">
                    <span>
                      <span className={badge.className} title={badge.title}>{badge.label}</span>
                      {message.sent_at && <time className="email-code" dateTime={message.sent_at} title={message.sent_at}>{when(message.sent_at)}</time>}
                    </span>
                  </td>
                  <td data-label="Attempts">{message.attempts}</td>
                  <td data-label="Next attempt">{message.next_attempt_at ? <Time iso={message.next_attempt_at} /> : none}</td>
                  <td data-label="Last error">{message.last_error ? <span className="email-error">{message.last_error}</span> : none}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {shown && (cursors.length > 0 || shown.next_cursor) && (
        <nav className="pager" aria-label="Pages">
          <span className="email-page-number">Page {cursors.length + 1}</span>
          <button type="button" className="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>Newer messages</button>
          <button type="button" className="button" disabled={!shown.next_cursor} onClick={() => shown.next_cursor && setCursors([...cursors, shown.next_cursor])}>Older messages</button>
        </nav>
      )}
    </>
  );
}
