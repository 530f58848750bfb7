import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../../api/api-client';
import { TextField } from '../../ui/fields';
import { Page, Section } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { administratorsGroup } from '../users/shared';
import type { Group } from '../users/types';

/** Every group users carry, with its member count (the API counts them all: not paged). */
export function GroupList() {
  const groups = useLoad(() => api<{ items: Group[] }>('GET', '/groups'), []);
  const items = groups.data?.items;
  return (
    <Page title="Groups" description="Names users carry, sent to applications in the groups claim; a group exists while at least one user is in it.">
      <div className="notice notice-info">
        <p><strong><code>{administratorsGroup}</code> is the administrators' group.</strong> Its members can sign in to this console and change everything in it; it is always listed, even with nobody in it.</p>
      </div>
      <ErrorNotice error={groups.error} />
      {items === undefined ? (
        groups.error ? null : <Loading rows={3} />
      ) : items.length === 0 ? (
        <EmptyState title="No groups yet">
          A group is a name on users, not a record of its own: add a user to a group on their page, or start one below with its first member, and it appears here.
        </EmptyState>
      ) : (
        <table className="list">
          <caption className="visually-hidden">Groups</caption>
          <thead><tr><th scope="col">Group</th><th scope="col">Members</th><th scope="col">What it does</th></tr></thead>
          <tbody>
            {items.map((group) => (
              <tr key={group.name}>
                <td data-label="Group"><Link href={`/${encodeURIComponent(group.name)}`}>{group.name}</Link></td>
                <td data-label="Members">{group.members === 1 ? '1 member' : `${group.members} members`}</td>
                <td data-label="What it does">
                  {group.name === administratorsGroup
                    ? <span className="badge badge-accent">Administrators</span>
                    : <span className="muted">Sent in the groups claim</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewGroup />
    </Page>
  );
}

/** A group is made by adding its first member: this opens its page, where the member is added. */
function NewGroup() {
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string>();
  function submit(event: FormEvent) {
    event.preventDefault();
    const group = name.trim();
    if (group === '') return setProblem('Give the group a name.');
    if (group.length > 200) return setProblem('A group name is at most 200 characters.');
    navigate(`/${encodeURIComponent(group)}`);
  }
  return (
    <Section title="Start a group">
      <form onSubmit={submit} noValidate>
        <p className="section-intro">Name the group, then add its first member on the next page: the group exists from then on.</p>
        <div className="inline-form">
          <TextField label="Group name" value={name} onChange={(value) => { setName(value); setProblem(undefined); }} error={problem}
            placeholder="staff" hint="Applications receive it as written, so match what they expect." />
          <button type="submit" className="button button-primary">Continue</button>
        </div>
      </form>
    </Section>
  );
}
