import { useState } from 'react';
import { api } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { Section } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import type { Loaded } from '../../ui/use-load';
import { formatTime } from './shared';
import type { SecondFactor, User } from './types';

/** The factor in a sentence: "the passkey “Laptop”", "the authenticator app". */
function theFactor(factor: SecondFactor): string {
  if (factor.type === 'passkey') return `the passkey “${factor.name}”`;
  return factor.type === 'totp' ? 'the authenticator app' : 'the recovery codes';
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What a factor is beyond its name: how many codes are left, whether a passkey lives on one device. */
function detailOf(factor: SecondFactor): string {
  if (factor.type === 'recovery_codes') return factor.remaining === 1 ? '1 code left' : `${factor.remaining ?? 0} codes left`;
  if (factor.type === 'passkey') {
    if (factor.device_type === 'multiDevice') return factor.backed_up ? 'Passkey, synced between devices' : 'Passkey that can sync, not backed up yet';
    return 'Passkey on one device only';
  }
  return 'Six-digit codes from an app';
}

/** What removing it does, said before it is done: the last app or passkey takes the recovery codes with it. */
function consequence(factor: SecondFactor, factors: readonly SecondFactor[], username: string): string {
  if (factor.type === 'recovery_codes') return `${username} can no longer recover with a code; their app or passkeys stay.`;
  const others = factors.filter((other) => other.type !== 'recovery_codes' && other.id !== factor.id).length;
  const codes = factors.some((other) => other.type === 'recovery_codes');
  if (others > 0) return `${username} can no longer sign in with it; their other factors stay.`;
  return `${username} can no longer sign in with it${codes ? ', and their recovery codes are removed with it, as it is their last app or passkey' : ''}. If a second factor is required, they set up a new one at their next sign-in.`;
}

/**
 * The user's second factors. Only the person can set one up (on their account page, since only
 * they hold the device); an administrator removes one that was lost, each removal audited.
 */
export function FactorsSection({ user, factors }: { user: User; factors: Loaded<{ items: SecondFactor[] }> }) {
  const [error, setError] = useState<Error>();
  const [removed, setRemoved] = useState<string>();
  const items = factors.data?.items;
  return (
    <Section title="Second factors">
      <p className="section-intro">What {user.username} set up to prove it is them besides the password. They set one up themselves on their account page; remove one they lost, and they can set up a new one.</p>
      <ErrorNotice error={error ?? factors.error} />
      <SuccessNotice>{removed}</SuccessNotice>
      {items === undefined ? (
        factors.error ? null : <Loading rows={2} />
      ) : items.length === 0 ? (
        <EmptyState title="No second factor set up">{user.username} signs in with a password or a connection only. They can add an authenticator app or a passkey on their account page.</EmptyState>
      ) : (
        <table className="list" aria-label="Second factors">
          <thead><tr><th scope="col">Factor</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {items.map((factor) => (
              <tr key={factor.id}>
                <td data-label="Factor">{factor.name}<span className="user-secondary">{detailOf(factor)}</span></td>
                <td data-label="Added">{formatTime(factor.created_at)}</td>
                <td data-label="Last used">{factor.type === 'recovery_codes' ? '—' : factor.last_used_at ? formatTime(factor.last_used_at) : 'Never'}</td>
                <td className="list-actions">
                  <ConfirmButton
                    label="Remove" confirmLabel="Remove" danger
                    question={<p>Remove {theFactor(factor)} from {user.username}? {consequence(factor, items, user.username)}</p>}
                    onConfirm={async () => {
                      setError(undefined);
                      setRemoved(undefined);
                      try {
                        await api('DELETE', `/users/${encodeURIComponent(user.id)}/factors/${encodeURIComponent(factor.id)}`);
                        setRemoved(`${capitalized(theFactor(factor))} ${factor.type === 'recovery_codes' ? 'are' : 'is'} removed.`);
                      } catch (caught) {
                        setError(caught instanceof Error ? caught : new Error(String(caught)));
                      }
                      // Also after a refusal: another administrator may have removed it meanwhile.
                      factors.reload();
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
