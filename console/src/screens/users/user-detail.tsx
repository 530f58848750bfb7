import { useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, ApiError } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { TextField } from '../../ui/fields';
import { Page, Section } from '../../ui/page';
import { DeclaredNote, EmptyState, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { AddGroup, GroupChips } from './group-picker';
import { IdentitiesSection, SessionsSection } from './user-activity';
import { FactorsSection } from './user-factors';
import { AttributesSection, ProfileSection } from './user-profile';
import { administratorsGroup, administratorsNote, DeclaredBadge, fieldErrorsOf, formatTime, StatusBadge } from './shared';
import type { Group, LinkedIdentity, SecondFactor, User, UserSessions } from './types';

const asError = (caught: unknown) => (caught instanceof Error ? caught : new Error(String(caught)));

/** One user: profile, groups, attributes, password, second factors, lock, sessions, linked identities, and deletion. */
export function UserDetail({ id }: { id: string }) {
  const path = `/users/${encodeURIComponent(id)}`;
  const loaded = useLoad(() => api<User>('GET', path), [path]);
  const sessions = useLoad(() => api<UserSessions>('GET', `${path}/sessions`), [path]);
  const identities = useLoad(() => api<{ items: LinkedIdentity[] }>('GET', `${path}/identities`), [path]);
  const factors = useLoad(() => api<{ items: SecondFactor[] }>('GET', `${path}/factors`), [path]);
  // The latest answer about the user, from a change made here or from loading it.
  const [changed, setChanged] = useState<User>();
  const user = changed?.id === id && (!loaded.data || changed.updated_at >= loaded.data.updated_at) ? changed : loaded.data;
  const created = new URLSearchParams(useSearch()).has('created');

  if (!user) {
    const missing = loaded.error instanceof ApiError && loaded.error.status === 404;
    return (
      <Page title={missing ? 'No such user' : 'User'}>
        {missing ? (
          <EmptyState title="This user does not exist" action={<Link href="/" className="button">All users</Link>}>
            It may have been deleted, or the link is wrong. Find the user in the list.
          </EmptyState>
        ) : loaded.error ? <ErrorNotice error={loaded.error} /> : <Loading rows={8} />}
      </Page>
    );
  }

  const onSaved = (updated: User) => setChanged(updated);
  return (
    <Page
      title={user.username}
      description={`Changes reach applications at ${user.username}'s next sign-in or token request; disabling and deleting end their sessions at once.`}
      actions={<Link href="/" className="button">All users</Link>}
    >
      {user.declared && <DeclaredNote what="user" />}
      {created && <SuccessNotice>{user.username} is created.{user.has_password ? ' They can sign in with the password you chose.' : ' With no password, they sign in through a connection.'}</SuccessNotice>}
      <Overview user={user} onChanged={(updated) => { onSaved(updated); sessions.reload(); }} />
      <GroupsSection user={user} onChanged={onSaved} />
      <ProfileSection key={`profile-${user.id}`} user={user} onSaved={onSaved} />
      <AttributesSection key={`attributes-${user.id}`} user={user} onSaved={onSaved} />
      <PasswordSection user={user} onSet={() => loaded.reload()} />
      <FactorsSection user={user} factors={factors} />
      <SessionsSection user={user} sessions={sessions} />
      <IdentitiesSection user={user} identities={identities} />
      {!user.declared && <DeleteSection user={user} />}
    </Page>
  );
}

function Overview({ user, onChanged }: { user: User; onChanged: (user: User) => void }) {
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const path = `/users/${encodeURIComponent(user.id)}`;
  const administrator = user.groups.includes(administratorsGroup);

  async function unlock() {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const { lifted } = await api<{ lifted: boolean }>('POST', `${path}/unlock`);
      setNotice(lifted
        ? `The lock is lifted and the failed sign-ins are forgotten: ${user.username} can sign in again now.`
        : `${user.username} was not locked out: there was nothing to lift.`);
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }

  const toggle = user.disabled ? (
    <ConfirmButton
      label="Enable" confirmLabel={`Enable ${user.username}`} disabled={user.declared}
      question={<p>Enable {user.username}? They can sign in again; their ended sessions stay ended.</p>}
      onConfirm={async () => {
        setError(undefined);
        setNotice(undefined);
        try {
          onChanged(await api<User>('POST', `${path}/enable`));
          setNotice(`${user.username} is enabled and can sign in again.`);
        } catch (caught) {
          setError(asError(caught));
        }
      }}
    />
  ) : (
    <ConfirmButton
      label="Disable" confirmLabel={`Disable ${user.username}`} danger disabled={user.declared}
      question={<p>Disable {user.username}? They cannot sign in any more, and their sessions and every application's tokens for them end at once.{administrator ? ' They stop being an administrator too.' : ''}</p>}
      onConfirm={async () => {
        setError(undefined);
        setNotice(undefined);
        try {
          onChanged(await api<User>('POST', `${path}/disable`));
          setNotice(`${user.username} is disabled: they cannot sign in, and their sessions ended.`);
        } catch (caught) {
          setError(asError(caught));
        }
      }}
    />
  );

  return (
    <Section title="Account" actions={<div className="button-row flush">{toggle}<button type="button" className="button" disabled={busy} onClick={() => void unlock()}>Unlock</button></div>}>
      <ErrorNotice error={error} />
      <SuccessNotice>{notice}</SuccessNotice>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className="badges">
            <StatusBadge disabled={user.disabled} />
            {administrator && <span className="badge badge-accent">Administrator</span>}
            {user.declared && <DeclaredBadge />}
          </span>
        </dd>
        <dt>Password</dt>
        <dd>{user.has_password ? 'Set' : 'None: signs in only through a connection'}</dd>
        <dt>User ID</dt>
        <dd><code>{user.id}</code> <span className="user-secondary">The sub claim applications receive; it never changes.</span></dd>
        <dt>Created</dt>
        <dd>{formatTime(user.created_at)}</dd>
        <dt>Last changed</dt>
        <dd>{formatTime(user.updated_at)}</dd>
      </dl>
      <p className="field-hint">Unlock lifts the lock that repeated failed sign-ins put on an account, and forgets those failures.</p>
    </Section>
  );
}

/** Groups are names on the user: added and removed one at a time through the groups API, so that two administrators' changes both apply. */
function GroupsSection({ user, onChanged }: { user: User; onChanged: (user: User) => void }) {
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const known = useLoad(() => api<{ items: Group[] }>('GET', '/groups'), []);
  const members = (group: string) => `/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(user.id)}`;

  async function change(work: () => Promise<void>, said: string): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await work();
      onChanged(await api<User>('GET', `/users/${encodeURIComponent(user.id)}`));
      setNotice(said);
      return true;
    } catch (caught) {
      setError(asError(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  // A name the API refuses (too long, blank) is about the field; anything else (a declared user) about the request.
  const inline = fieldErrorsOf(error)[''];
  return (
    <Section title="Groups">
      <p className="section-intro">Groups reach applications in the groups claim from the next token. {administratorsNote}</p>
      {!inline && <ErrorNotice error={error} />}
      <SuccessNotice>{notice}</SuccessNotice>
      <GroupChips
        groups={user.groups} busy={busy} who={user.username}
        {...(user.declared ? {} : {
          onRemove: (group: string) => change(() => api('DELETE', members(group)), `${user.username} is no longer in ${group}.`).then(() => undefined),
        })}
      />
      {!user.declared && (
        <AddGroup
          busy={busy} error={inline}
          known={(known.data?.items ?? []).map((g) => g.name).filter((g) => !user.groups.includes(g))}
          hint="Pick a group or type a new name: a group exists while someone is in it."
          onAdd={(group) => change(
            () => api('PUT', members(group)),
            group === administratorsGroup ? `${user.username} is now an administrator: they can sign in to this console.` : `${user.username} is now in ${group}.`,
          )}
        />
      )}
    </Section>
  );
}

function PasswordSection({ user, onSet }: { user: User; onSet: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  if (user.declared) return null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      await api('POST', `/users/${encodeURIComponent(user.id)}/password`, { password });
      setPassword('');
      setDone(true);
      onSet();
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }

  const fields = fieldErrorsOf(error);
  return (
    <Section title="Password">
      <form onSubmit={submit} noValidate>
        <p className="section-intro">{user.has_password ? 'Set a new password: the old one stops working at once.' : `${user.username} has no password: set one to let them sign in with it as well.`}</p>
        {!fields.password && <ErrorNotice error={error} />}
        <div className="inline-form">
          <TextField label="New password" type="password" value={password} onChange={(value) => { setPassword(value); setDone(false); }}
            error={fields.password} autoComplete="new-password" hint="Checked against the password policy; it is never shown again." />
          <button type="submit" className="button button-primary" disabled={busy || password === ''}>{busy ? 'Setting…' : 'Set password'}</button>
        </div>
        {done && <SuccessNotice>The password is set. Give it to {user.username} through a channel you trust.</SuccessNotice>}
      </form>
    </Section>
  );
}

function DeleteSection({ user }: { user: User }) {
  const [, navigate] = useLocation();
  const [error, setError] = useState<Error>();
  return (
    <section className="panel danger-zone" aria-labelledby="delete-user">
      <header className="panel-header"><h2 id="delete-user">Delete user</h2></header>
      <p>Deleting {user.username} ends their sessions and tokens at once and removes their groups, attributes and linked identities. It cannot be undone; to stop them signing in for a while, disable them instead.</p>
      <ErrorNotice error={error} />
      <ConfirmButton
        label="Delete user" confirmLabel={`Delete ${user.username}`} danger
        question={<p>Delete {user.username} for good? Their sessions and tokens end at once, and a user created later with the same name is someone else.</p>}
        onConfirm={async () => {
          setError(undefined);
          try {
            await api('DELETE', `/users/${encodeURIComponent(user.id)}`);
            navigate('/', { replace: true });
          } catch (caught) {
            setError(asError(caught));
          }
        }}
      />
    </section>
  );
}
