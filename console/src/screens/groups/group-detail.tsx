import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api, query, type Page as ApiPage } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { TextField } from '../../ui/fields';
import { Page, Section } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { signedInPerson } from '../../auth/oidc-session';
import { administratorsGroup, administratorsNote, DeclaredBadge, fieldErrorsOf, StatusBadge } from '../users/shared';
import type { GroupMember, User } from '../users/types';

const pageSize = 50;
const asError = (caught: unknown) => (caught instanceof Error ? caught : new Error(String(caught)));

/** One group's members, a page at a time; add one by user name, remove one. */
export function GroupDetail({ name }: { name: string }) {
  const path = `/groups/${encodeURIComponent(name)}/members`;
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const members = useLoad(() => api<ApiPage<GroupMember>>('GET', `${path}${query({ limit: pageSize, cursor })}`), [path, cursor]);
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState<string>();
  const administrators = name === administratorsGroup;
  const me = signedInPerson()?.sub;
  const items = members.data?.items;

  const reload = () => (cursors.length > 1 ? setCursors([undefined]) : members.reload());

  return (
    <Page
      title={name}
      description={administrators ? administratorsNote : `Its members carry ${name} in the groups claim applications receive, from their next token.`}
      actions={<><Link href={`~/console/users?group=${encodeURIComponent(name)}`} className="button">Show in Users</Link><Link href="/" className="button">All groups</Link></>}
    >
      <AddMember group={name} onAdded={(username) => { setError(undefined); setNotice(`${username} is now in ${name}.`); reload(); }} />
      <Section title="Members">
        <ErrorNotice error={error ?? members.error} />
        <SuccessNotice>{notice}</SuccessNotice>
        {items === undefined ? (
          members.error ? null : <Loading rows={3} />
        ) : items.length === 0 && cursors.length === 1 ? (
          <EmptyState title={`Nobody is in ${name} yet`}>
            {administrators
              ? 'Add someone above to make them an administrator.'
              : 'A group exists while someone is in it: add its first member above by their user name.'}
          </EmptyState>
        ) : (
          <>
            <table className="list" aria-busy={members.loading}>
              <caption className="visually-hidden">Members of {name}</caption>
              <thead><tr><th scope="col">User name</th><th scope="col">Email</th><th scope="col">Status</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {items.map((member) => (
                  <tr key={member.id}>
                    <td data-label="User name">
                      <span className="user-cell">
                        <Link href={`~/console/users/${encodeURIComponent(member.id)}`}>{member.username}</Link>
                        {member.declared && <DeclaredBadge />}
                      </span>
                    </td>
                    <td data-label="Email">{member.email ?? <span className="muted">None</span>}</td>
                    <td data-label="Status"><StatusBadge disabled={member.disabled} /></td>
                    <td className="list-actions">
                      {member.declared ? (
                        <span className="muted">Change it in the configuration file</span>
                      ) : (
                        <ConfirmButton
                          label="Remove" confirmLabel={`Remove from ${name}`} danger
                          question={<p>Remove {member.username} from <code>{name}</code>?{' '}
                            {administrators
                              ? (member.id === me ? 'That is you: you lose access to this console at once.' : 'They stop being an administrator at once.')
                              : 'Applications stop receiving the group for them from their next token.'}</p>}
                          onConfirm={async () => {
                            setError(undefined);
                            setNotice(undefined);
                            try {
                              await api('DELETE', `${path}/${encodeURIComponent(member.id)}`);
                              setNotice(`${member.username} is no longer in ${name}.`);
                              reload();
                            } catch (caught) {
                              setError(asError(caught));
                            }
                          }}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {(cursors.length > 1 || members.data?.next_cursor) && (
              <nav className="pager" aria-label="Pages of members">
                <button type="button" className="button" disabled={cursors.length <= 1 || members.loading} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
                <button
                  type="button" className="button" disabled={!members.data?.next_cursor || members.loading}
                  onClick={() => members.data?.next_cursor && setCursors([...cursors, members.data.next_cursor])}
                >
                  Next
                </button>
              </nav>
            )}
          </>
        )}
      </Section>
    </Page>
  );
}

/** The user named (by user name or email, as they sign in), found through the users search and added to the group. */
function AddMember({ group, onAdded }: { group: string; onAdded: (username: string) => void }) {
  const [who, setWho] = useState('');
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const wanted = who.trim();
    setProblem(undefined);
    setError(undefined);
    if (wanted === '') return setProblem('Type the user name of the person to add.');
    setBusy(true);
    try {
      const key = wanted.normalize('NFKC').toLowerCase();
      const found = await api<ApiPage<User>>('GET', `/users${query({ q: wanted, limit: 100 })}`);
      const user = found.items.find((u) => u.username.normalize('NFKC').toLowerCase() === key) ?? found.items.find((u) => u.email === key);
      if (!user) {
        setProblem(`No user has the user name or email “${wanted}”.`);
        return;
      }
      if (user.groups.includes(group)) {
        setProblem(`${user.username} is in ${group} already.`);
        return;
      }
      await api('PUT', `/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(user.id)}`);
      setWho('');
      onAdded(user.username);
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }

  const inline = problem ?? fieldErrorsOf(error)[''];
  return (
    <Section title="Add a member">
      <form onSubmit={submit} noValidate>
        {!inline && <ErrorNotice error={error} />}
        <div className="inline-form">
          <TextField label="User name or email" value={who} onChange={(value) => { setWho(value); setProblem(undefined); }} error={inline}
            hint={group === administratorsGroup ? 'They become an administrator at once.' : 'They carry the group from their next token.'} />
          <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Adding…' : 'Add member'}</button>
        </div>
      </form>
    </Section>
  );
}
