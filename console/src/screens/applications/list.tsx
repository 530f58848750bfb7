import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api, query, type Page as Listing } from '../../api/api-client';
import { TextField } from '../../ui/fields';
import { Page } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { kindOf, presetOf } from './presets';
import type { Application } from './types';

const pageSize = 50;

/** Every application, a page at a time, searched by the API on client ID and name. */
export function ApplicationList() {
  const [search, setSearch] = useState('');
  const [needle, setNeedle] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setNeedle(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const first = useLoad(() => api<Listing<Application>>('GET', `/applications${query({ q: needle, limit: pageSize })}`), [needle]);
  // The pages after the first, for the first page they follow (a new search starts again).
  const [later, setLater] = useState<{ after: Listing<Application>; items: Application[]; next: string | null }>();
  const [moreLoading, setMoreLoading] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  const more = first.data && later?.after === first.data ? later : { items: [], next: first.data?.next_cursor ?? null };

  async function showMore() {
    const start = first.data;
    if (!start || !more.next) return;
    setMoreLoading(true);
    setMoreError(undefined);
    try {
      const page = await api<Listing<Application>>('GET', `/applications${query({ q: needle, limit: pageSize, cursor: more.next })}`);
      setLater({ after: start, items: [...more.items, ...page.items], next: page.next_cursor });
    } catch (error) {
      setMoreError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setMoreLoading(false);
    }
  }

  const items = first.data ? [...first.data.items, ...more.items] : [];
  const create = <Link href="/new" className="button button-primary">Create application</Link>;
  const nothingYet = first.data && items.length === 0 && needle === '';

  return (
    <Page
      title="Applications"
      description="The applications people sign in to through Gatehouse, and the services that call APIs with their own credentials."
      actions={nothingYet ? undefined : create}
    >
      {nothingYet
        ? (
          <EmptyState title="Create your first application" action={create}>
            Register the application that will sign people in through Gatehouse: choose its type and Gatehouse pre-selects safe settings, then gives you its client ID and secret.
          </EmptyState>
        )
        : (
          <>
            <div className="toolbar app-search" role="search">
              <TextField label="Search" type="search" value={search} onChange={setSearch} placeholder="Client ID or name" />
            </div>
            <ErrorNotice error={first.error} />
            {!first.data && !first.error && <Loading rows={5} />}
            {first.data && items.length === 0 && (
              <EmptyState title={`No application matches "${needle}"`} action={<button type="button" className="button" onClick={() => setSearch('')}>Clear the search</button>}>
                Search looks in client IDs and names; check the spelling, or create the application.
              </EmptyState>
            )}
            {items.length > 0 && (
              <table className={first.loading ? 'list app-list app-list-busy' : 'list app-list'} aria-busy={first.loading}>
                <thead>
                  <tr><th scope="col">Name</th><th scope="col">Client ID</th><th scope="col">Type</th><th scope="col">Grant types</th></tr>
                </thead>
                <tbody>
                  {items.map((application) => (
                    <tr key={application.client_id}>
                      <td data-label="Name">
                        <span className="app-name-cell">
                          <Link href={`/${encodeURIComponent(application.client_id)}`}>{application.client_name ?? application.client_id}</Link>
                          {application.declared && <span className="badge" title="Declared in the configuration file">Declared</span>}
                        </span>
                      </td>
                      <td data-label="Client ID"><code>{application.client_id}</code></td>
                      <td data-label="Type">{presetOf(kindOf(application)).short}</td>
                      <td data-label="Grant types"><span className="app-badges">{application.grant_types.map((grant) => <span key={grant} className="badge">{grant}</span>)}</span></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <ErrorNotice error={moreError} />
            {more.next && (
              <div className="pager">
                <button type="button" className="button" disabled={moreLoading} onClick={() => void showMore()}>{moreLoading ? 'Loading…' : 'Show more applications'}</button>
              </div>
            )}
          </>
        )}
    </Page>
  );
}
