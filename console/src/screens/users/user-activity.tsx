import { useState } from 'react';
import { api } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { Section } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import type { Loaded } from '../../ui/use-load';
import { applicationLabel, formatTime } from './shared';
import type { LinkedIdentity, User, UserSessions } from './types';

/** How a person proved who they are (RFC 8176 amr values), in words. */
const methods: Record<string, string> = {
  pwd: 'Password', fed: 'Connection', mfa: 'Several factors', otp: 'One-time code', hwk: 'Passkey on a device', swk: 'Synced passkey',
  user: 'User verification', sc: 'Smart card',
};

/** What the user holds now: sessions (signed in to Gatehouse) and grants (applications allowed, with their tokens). */
export function SessionsSection({ user, sessions }: { user: User; sessions: Loaded<UserSessions> }) {
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState(false);
  const data = sessions.data;
  const nothing = data !== undefined && data.sessions.length === 0 && data.grants.length === 0;

  return (
    <Section
      title="Active sessions"
      actions={
        <ConfirmButton
          label="Sign out everywhere" confirmLabel="Sign out everywhere" danger disabled={data === undefined || nothing}
          question={<p>Sign {user.username} out everywhere? Every session ends and every application's tokens for them stop working at once; they can sign in again.</p>}
          onConfirm={async () => {
            setError(undefined);
            try {
              await api('DELETE', `/users/${encodeURIComponent(user.id)}/sessions`);
              setDone(true);
              sessions.reload();
            } catch (caught) {
              setError(caught instanceof Error ? caught : new Error(String(caught)));
            }
          }}
        />
      }
    >
      <p className="section-intro">Where {user.username} is signed in to Gatehouse, and which applications hold tokens for them.</p>
      <ErrorNotice error={error ?? sessions.error} />
      {done && nothing && <SuccessNotice>{user.username} is signed out everywhere: their sessions ended and their tokens stopped working.</SuccessNotice>}
      {data === undefined ? (
        sessions.error ? null : <Loading rows={2} />
      ) : nothing ? (
        <EmptyState title="Not signed in anywhere">{user.username} has no session and no application holds tokens for them. Their next sign-in appears here.</EmptyState>
      ) : (
        <>
          <h3 className="sub-heading">Sessions</h3>
          {data.sessions.length === 0 ? <p className="muted">No session: {user.username} is not signed in to Gatehouse in any browser.</p> : (
            <table className="list" aria-label="Sessions">
              <thead><tr><th scope="col">Applications</th><th scope="col">Signed in</th><th scope="col">Method</th><th scope="col">Expires</th></tr></thead>
              <tbody>
                {data.sessions.map((session) => (
                  <tr key={session.id}>
                    <td data-label="Applications">{session.client_ids.length ? session.client_ids.map(applicationLabel).join(', ') : <span className="muted">Gatehouse only</span>}</td>
                    <td data-label="Signed in">{formatTime(session.signed_in_at ?? session.created_at)}</td>
                    <td data-label="Method">{session.amr?.length ? session.amr.map((m) => methods[m] ?? m).join(', ') : '—'}</td>
                    <td data-label="Expires">{session.expires_at ? formatTime(session.expires_at) : 'No expiry'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3 className="sub-heading">Applications allowed</h3>
          {data.grants.length === 0 ? <p className="muted">No application holds tokens for {user.username}.</p> : (
            <table className="list" aria-label="Grants">
              <thead><tr><th scope="col">Application</th><th scope="col">Scopes</th><th scope="col">Granted</th><th scope="col">Expires</th></tr></thead>
              <tbody>
                {data.grants.map((grant) => (
                  <tr key={grant.id}>
                    <td data-label="Application">{applicationLabel(grant.client_id)}</td>
                    <td data-label="Scopes">{grant.scope ? <code>{grant.scope}</code> : '—'}</td>
                    <td data-label="Granted">{formatTime(grant.created_at)}</td>
                    <td data-label="Expires">{grant.expires_at ? formatTime(grant.expires_at) : 'No expiry'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Section>
  );
}

/** Identities at upstream providers and partners that sign in as this user; unlinking one lets its connection's rule decide again. */
export function IdentitiesSection({ user, identities }: { user: User; identities: Loaded<{ items: LinkedIdentity[] }> }) {
  const [error, setError] = useState<Error>();
  const [unlinked, setUnlinked] = useState<string>();
  const items = identities.data?.items;
  return (
    <Section title="Linked identities">
      <p className="section-intro">Accounts at other identity providers (through a connection) that sign in as {user.username}.</p>
      <ErrorNotice error={error ?? identities.error} />
      {unlinked && <SuccessNotice>{unlinked} is unlinked: its next sign-in follows its connection's rule for a new identity.</SuccessNotice>}
      {items === undefined ? (
        identities.error ? null : <Loading rows={1} />
      ) : items.length === 0 ? (
        <EmptyState title="No linked identities">An identity is linked when {user.username} signs in through a connection (Okta, Google, a partner's JWT) or is provisioned by one.</EmptyState>
      ) : (
        <table className="list" aria-label="Linked identities">
          <thead><tr><th scope="col">Issuer</th><th scope="col">Subject</th><th scope="col">Linked</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {items.map((identity) => (
              <tr key={identity.id}>
                <td data-label="Issuer"><code>{identity.issuer}</code></td>
                <td data-label="Subject"><code>{identity.subject}</code></td>
                <td data-label="Linked">{formatTime(identity.linked_at)}</td>
                <td className="list-actions">
                  <ConfirmButton
                    label="Unlink" confirmLabel="Unlink" danger
                    question={<p>Unlink the identity <code>{identity.subject}</code> at <code>{identity.issuer}</code> from {user.username}? Its next sign-in follows its connection's rule for an identity it does not know: a new user, a link by email, or a refusal.</p>}
                    onConfirm={async () => {
                      setError(undefined);
                      try {
                        await api('DELETE', `/users/${encodeURIComponent(user.id)}/identities/${encodeURIComponent(identity.id)}`);
                        setUnlinked(`The identity ${identity.subject}`);
                        identities.reload();
                      } catch (caught) {
                        setError(caught instanceof Error ? caught : new Error(String(caught)));
                      }
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
