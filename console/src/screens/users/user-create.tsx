import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../../api/api-client';
import { TextField } from '../../ui/fields';
import { Page, Section } from '../../ui/page';
import { ErrorNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { AddGroup, GroupChips } from './group-picker';
import { administratorsNote, fieldErrorsOf } from './shared';
import type { Group, User } from './types';

/** A new user: POST /api/v1/users with only the fields filled in. */
export function CreateUser() {
  const [, navigate] = useLocation();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [emailVerified, setEmailVerified] = useState(false);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [groups, setGroups] = useState<string[]>([]);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const known = useLoad(() => api<{ items: Group[] }>('GET', '/groups'), []);
  const fields = fieldErrorsOf(error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const user = await api<User>('POST', '/users', {
        username: username.trim(),
        ...(email.trim() ? { email: email.trim(), email_verified: emailVerified } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(password ? { password } : {}),
        groups,
      });
      navigate(`/${encodeURIComponent(user.id)}?created=1`);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
      setBusy(false);
    }
  }

  return (
    <Page title="Create user" description="Add someone who signs in with a user name and password, or through a connection with no password here.">
      <form onSubmit={submit} noValidate>
        <ErrorNotice error={error} />
        <Section title="Account">
          <div className="grid-2">
            <TextField label="User name" value={username} onChange={setUsername} required error={fields.username} autoComplete="off"
              hint="What they type to sign in; not case sensitive." />
            <TextField label="Full name" value={name} onChange={setName} error={fields.name} hint="The name claim applications receive." />
            <TextField label="Email" type="email" value={email} onChange={setEmail} error={fields.email ?? fields.email_verified}
              hint="They can sign in with it too. Optional." />
            <TextField label="Password" type="password" value={password} onChange={setPassword} error={fields.password} autoComplete="new-password"
              hint="Checked against the password policy. Leave it empty for someone who signs in only through a connection." />
          </div>
          <label className="checkbox-line">
            <input type="checkbox" checked={emailVerified} disabled={email.trim() === ''} onChange={(event) => setEmailVerified(event.target.checked)} />
            <span>The email address is verified <span className="user-secondary">Applications trust email_verified; tick it only if you know the address is theirs.</span></span>
          </label>
        </Section>
        <Section title="Groups">
          <p className="section-intro">Groups reach applications in the groups claim. {administratorsNote}</p>
          <GroupChips groups={groups} onRemove={(group) => setGroups(groups.filter((g) => g !== group))} />
          <AddGroup
            known={(known.data?.items ?? []).map((g) => g.name).filter((g) => !groups.includes(g))}
            error={fields.groups}
            onAdd={(group) => {
              if (!groups.includes(group)) setGroups([...groups, group]);
              return true;
            }}
          />
        </Section>
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Creating…' : 'Create user'}</button>
          <Link href="/" className="button">Cancel</Link>
        </div>
      </form>
    </Page>
  );
}
