import { useMemo, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { api, type Page as Listing } from '../../api/api-client';
import { Page } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { EventDialog } from './event-dialog';
import { FilterForm } from './filter-form';
import { filtersFrom, hasFilters, searchOf, type AuditFilters } from './filters';
import { ListTime, Outcome, actorText, userIdsOf } from './format';
import { typeLabel, type AuditEvent } from './types';
import { useUserNames } from './user-names';
import './audit.css';

const pageSize = 50;

/** The audit log: every sign-in, token, consent and change, newest first, filtered through the address. */
export function AuditArea() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => filtersFrom(search), [search]);
  const [round, setRound] = useState(0);
  const apply = (next: AuditFilters) => {
    const nextSearch = searchOf(next);
    navigate(nextSearch ? `?${nextSearch}` : '');
    setRound((n) => n + 1);
  };

  return (
    <Page
      title="Audit log"
      description="Sign-ins, issued tokens, consents and every change to Gatehouse, newest first; filter to find one."
      actions={<button type="button" className="button" onClick={() => setRound((n) => n + 1)}>Refresh</button>}
    >
      <FilterForm filters={filters} onApply={apply} onClear={() => apply(filtersFrom(''))} />
      <Events key={`${search}#${round}`} filters={filters} onFilter={apply} />
    </Page>
  );
}

/** One filtered view, page after page: older pages by their cursors, newer ones by going back. */
function Events({ filters, onFilter }: { filters: AuditFilters; onFilter: (filters: AuditFilters) => void }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useLoad(
    () => api<Listing<AuditEvent>>('GET', `/audit-events?${searchOf(filters, { cursor, limit: String(pageSize) })}`),
    [cursor],
  );
  const [selected, setSelected] = useState<AuditEvent>();
  const names = useUserNames(page.data?.items.flatMap(userIdsOf) ?? []);
  const shown = page.loading ? undefined : page.data;

  return (
    <>
      <ErrorNotice error={page.error} />
      {!shown && !page.error && <Loading rows={8} />}
      {shown && shown.items.length === 0 && (
        hasFilters(filters)
          ? (
            <EmptyState title="No events match these filters" action={<button type="button" className="button" onClick={() => onFilter(filtersFrom(''))}>Clear filters</button>}>
              Widen the time range or clear a filter to see more of the log.
            </EmptyState>
          )
          : (
            <EmptyState title="No events yet">
              Sign-ins, tokens, consents and changes appear here as they happen: sign in to an application to see the first ones.
            </EmptyState>
          )
      )}
      {shown && shown.items.length > 0 && (
        <div className="audit-table"><table className="list audit-list">
          <thead>
            <tr>
              <th scope="col">Time</th><th scope="col">Event</th><th scope="col">Actor</th>
              <th scope="col">User</th><th scope="col">Application</th><th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {shown.items.map((event) => (
              <tr key={event.id} className="audit-row" onClick={() => setSelected(event)}>
                <td data-label="Time"><ListTime iso={event.occurred_at} /></td>
                <td data-label="Event">
                  <span>
                    <button type="button" className="audit-open" aria-haspopup="dialog" onClick={(click) => { click.stopPropagation(); setSelected(event); }}>
                      {typeLabel(event.type)}
                    </button>
                    <span className="audit-code">{event.type}</span>
                  </span>
                </td>
                <td data-label="Actor">{actorText(event.actor, names)}</td>
                <td data-label="User" className="audit-user">{event.user_id ? names.get(event.user_id) ?? (names.has(event.user_id) ? 'A deleted user' : <span className="audit-code">{event.user_id}</span>) : <span className="audit-none">None</span>}</td>
                <td data-label="Application">{event.client_id ? <code>{event.client_id}</code> : <span className="audit-none">None</span>}</td>
                <td data-label="Result"><span><Outcome event={event} /></span></td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
      {shown && (cursors.length > 0 || shown.next_cursor) && (
        <nav className="pager" aria-label="Pages">
          <span className="audit-page-number">Page {cursors.length + 1}</span>
          <button type="button" className="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>Newer events</button>
          <button type="button" className="button" disabled={!shown.next_cursor} onClick={() => shown.next_cursor && setCursors([...cursors, shown.next_cursor])}>Older events</button>
        </nav>
      )}
      {selected && (
        <EventDialog
          event={selected} names={names} onClose={() => setSelected(undefined)}
          onFilterUser={(userId) => {
            setSelected(undefined);
            onFilter({ ...filtersFrom(''), user_id: userId });
          }}
        />
      )}
    </>
  );
}
