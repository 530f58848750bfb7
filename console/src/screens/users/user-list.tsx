import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { api, query, type Page as ApiPage } from '../../api/api-client';
import { SelectField, TextField } from '../../ui/fields';
import { Page } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { DeclaredBadge, GroupBadges, StatusBadge } from './shared';
import type { Group, User } from './types';

const pageSize = 25;

/** Every user, a page at a time, searched by user name or email and filtered by group (the API's two filters). */
export function UserList() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const group = params.get('group') ?? '';
  const [text, setText] = useState(q);
  // The cursors of the pages before this one, and this one's (Previous pops, Next pushes), for this search only.
  const search = `${q}\n${group}`;
  const [paging, setPaging] = useState<{ search: string; cursors: (string | undefined)[] }>({ search, cursors: [undefined] });
  const cursors = paging.search === search ? paging.cursors : [undefined];
  const setCursors = (next: (string | undefined)[]) => setPaging({ search, cursors: next });
  const cursor = cursors.at(-1);

  // The search follows the typing a moment later, not at every key.
  useEffect(() => {
    if (text.trim() === q) return;
    const timer = setTimeout(() => setParams((before) => withValue(before, 'q', text.trim()), { replace: true }), 250);
    return () => clearTimeout(timer);
  }, [text, q]);

  const groups = useLoad(() => api<{ items: Group[] }>('GET', '/groups'), []);
  const users = useLoad(() => api<ApiPage<User>>('GET', `/users${query({ q, group, limit: pageSize, cursor })}`), [q, group, cursor]);
  const filtered = q !== '' || group !== '';

  const groupOptions = [
    { value: '', label: 'Every group' },
    ...(groups.data?.items ?? []).map((g) => ({ value: g.name, label: `${g.name} (${g.members})` })),
    ...(group && !groups.data?.items.some((g) => g.name === group) ? [{ value: group, label: group }] : []),
  ];

  return (
    <Page
      title="Users"
      description="The people who sign in through Gatehouse: their profile, groups, password, sessions and linked identities."
      actions={<Link href="/new" className="button button-primary">Create user</Link>}
    >
      <form className="toolbar users-toolbar" role="search" onSubmit={(event) => {
        event.preventDefault();
        setParams((before) => withValue(before, 'q', text.trim()), { replace: true });
      }}>
        <TextField label="Search" type="search" value={text} onChange={setText} placeholder="User name or email" />
        <SelectField label="Group" value={group} options={groupOptions} onChange={(value) => setParams((before) => withValue(before, 'group', value), { replace: true })} />
      </form>
      <ErrorNotice error={users.error} />
      {users.data === undefined ? (
        users.error ? null : <Loading rows={5} />
      ) : users.data.items.length === 0 ? (
        filtered ? (
          <EmptyState
            title="No users match"
            action={<button type="button" className="button" onClick={() => { setText(''); setParams({}, { replace: true }); }}>Clear the search</button>}
          >
            Nobody's user name or email contains the search{group ? ` among the members of ${group}` : ''}. Try another search or clear it.
          </EmptyState>
        ) : (
          <EmptyState title="No users yet" action={<Link href="/new" className="button button-primary">Create user</Link>}>
            Create the first user here, declare users in the configuration file, or let people sign in through a connection.
          </EmptyState>
        )
      ) : (
        <>
          <table className="list" aria-busy={users.loading}>
            <caption className="visually-hidden">Users{filtered ? ' matching the search' : ''}</caption>
            <thead>
              <tr><th scope="col">User name</th><th scope="col">Name and email</th><th scope="col">Groups</th><th scope="col">Status</th></tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => (
                <tr key={user.id}>
                  <td data-label="User name">
                    <span className="user-cell">
                      <Link href={`/${encodeURIComponent(user.id)}`}>{user.username}</Link>
                      {user.declared && <DeclaredBadge />}
                    </span>
                  </td>
                  <td data-label="Name">
                    {user.name ?? user.email ?? <span className="muted">—</span>}
                    {user.name && user.email && <span className="user-secondary">{user.email}</span>}
                  </td>
                  <td data-label="Groups"><GroupBadges groups={user.groups} /></td>
                  <td data-label="Status"><StatusBadge disabled={user.disabled} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          {(cursors.length > 1 || users.data.next_cursor) && (
            <nav className="pager" aria-label="Pages of users">
              <button type="button" className="button" disabled={cursors.length <= 1 || users.loading} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
              <button
                type="button" className="button" disabled={!users.data.next_cursor || users.loading}
                onClick={() => users.data?.next_cursor && setCursors([...cursors, users.data.next_cursor])}
              >
                Next
              </button>
            </nav>
          )}
        </>
      )}
    </Page>
  );
}

function withValue(params: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(name, value);
  else next.delete(name);
  return next;
}
