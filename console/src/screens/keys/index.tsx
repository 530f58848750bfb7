import { useState } from 'react';
import { api } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { CopyValue } from '../../ui/copy';
import { Page, Section } from '../../ui/page';
import { EmptyState, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import type { Key, Rotation } from './types';
import './keys.css';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A time in the list: the date over the time of day, so the columns stay narrow. */
function Time({ iso }: { iso: string }) {
  const date = new Date(iso);
  return (
    <time className="keys-when" dateTime={iso} title={iso}>
      <span>{date.toLocaleDateString(undefined, { dateStyle: 'medium' })}</span>{' '}
      <span>{date.toLocaleTimeString(undefined, { timeStyle: 'short' })}</span>
    </time>
  );
}

function purposeOf(key: Key): { label: string; detail: string } {
  if (key.purpose === 'cookie') return { label: 'Cookies', detail: 'sessions' };
  return { label: 'ID tokens', detail: key.alg ?? key.purpose.replace(/^signing:/, '') };
}

const statusBadge: Record<Key['status'], { label: string; className: string; title: string }> = {
  active: { label: 'Active', className: 'badge badge-good', title: 'Signs now' },
  next: { label: 'Next', className: 'badge badge-accent', title: 'Published, not signing yet' },
  retired: { label: 'Retired', className: 'badge', title: 'Only verifies what it signed, until removed' },
};

function NextStep({ keyInfo }: { keyInfo: Key }) {
  if (keyInfo.status === 'next' && keyInfo.activates_at) return <>Starts signing <Time iso={keyInfo.activates_at} /></>;
  if (keyInfo.status === 'active' && keyInfo.retires_at) return <>Retires <Time iso={keyInfo.retires_at} /></>;
  if (keyInfo.status === 'retired' && keyInfo.removed_at) return <>Removed <Time iso={keyInfo.removed_at} /></>;
  return <span className="keys-muted">Until the next rotation</span>;
}

/** The sentence that says what a rotation just did. */
function rotationSummary(rotation: Rotation, immediately: boolean): string {
  const names = rotation.stored.map((key) => (key.purpose === 'cookie' ? 'cookie' : key.alg ?? key.purpose)).join(', ');
  if (immediately) {
    return `New keys (${names}) sign from now on; ${rotation.removed.length} earlier ${rotation.removed.length === 1 ? 'key was' : 'keys were'} removed, so everyone signs in again.`;
  }
  const start = rotation.stored.find((key) => key.activates_at)?.activates_at;
  return `New keys (${names}) are published now${start ? ` and start signing ${when(start)}` : ''}.`;
}

/** Keys: what signs id_tokens and cookies now, what is waiting and what is retiring; starting a rotation. */
export function KeysArea() {
  const keys = useLoad(() => api<{ items: Key[] }>('GET', '/keys'), []);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<Error>();
  const jwksUrl = `${location.origin}/oidc/jwks`;

  const waiting = keys.data?.items.filter((key) => key.status === 'next' && key.activates_at) ?? [];
  const underWay = waiting[0]?.activates_at;

  async function rotate(immediately: boolean) {
    setError(undefined);
    setNotice(undefined);
    try {
      const rotation = await api<Rotation>('POST', '/keys/rotate', { immediately });
      setNotice(rotationSummary(rotation, immediately));
    } catch (failure) {
      setError(failure as Error);
    }
    keys.reload();
  }

  return (
    <Page
      title="Keys"
      description="The keys that sign id_tokens and Gatehouse's cookies; applications verify id_tokens with the public signing keys Gatehouse publishes."
    >
      <SuccessNotice>{notice}</SuccessNotice>
      <ErrorNotice error={error} />

      <Section title="Keys">
        <ErrorNotice error={keys.error} />
        {!keys.data && !keys.error && <Loading rows={4} />}
        {keys.data && keys.data.items.length === 0 && (
          <EmptyState title="No keys">Gatehouse creates its keys at start: restart it, then come back here.</EmptyState>
        )}
        {keys.data && keys.data.items.length > 0 && (
          <div className="keys-table"><table className="list">
            <thead>
              <tr>
                <th scope="col">Signs</th><th scope="col">Key ID</th><th scope="col">Status</th>
                <th scope="col">Created</th><th scope="col">Next step</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => {
                const purpose = purposeOf(key);
                const badge = statusBadge[key.status];
                return (
                  <tr key={key.kid}>
                    <td data-label="Signs"><span className="keys-purpose">{purpose.label} <span className="keys-muted">{purpose.detail}</span></span></td>
                    <td data-label="Key ID"><span className="keys-kid">{key.kid}</span></td>
                    <td data-label="Status"><span className={badge.className} title={badge.title}>{badge.label}</span></td>
                    <td data-label="Created"><Time iso={key.created_at} /></td>
                    <td data-label="Next step"><NextStep keyInfo={key} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table></div>
        )}
        <div className="keys-jwks">
          <CopyValue label="Published signing keys (JWKS)" value={jwksUrl} hint="Applications and APIs fetch the public keys here to verify id_tokens and JWT access tokens." />
        </div>
      </Section>

      <Section title="Rotate keys">
        {underWay && (
          <div className="notice notice-info">
            A rotation is under way: the waiting keys start signing {when(underWay)}. Another scheduled rotation can start after that.
          </div>
        )}
        <div className="keys-rotate">
          <div className="keys-rotate-choice">
            <h3>Scheduled rotation</h3>
            <p>New keys are published now and start signing 24 hours later; applications pick them up from the JWKS in the meantime, so nothing breaks.</p>
            <ConfirmButton
              label="Rotate keys" confirmLabel="Start the rotation" disabled={!keys.data || Boolean(underWay)}
              question={(
                <div className="keys-dialog-text">
                  <h2>Start a key rotation?</h2>
                  <p>Gatehouse generates a new key for ID tokens (RS256, ES256, EdDSA) and for cookies, and publishes them now as <strong>next</strong>.</p>
                  <ul>
                    <li>In 24 hours they start signing, and the current keys retire.</li>
                    <li>Retired keys stay published for 14 days, so id_tokens they signed keep verifying; then they are removed.</li>
                    <li>Nobody is signed out, and applications need no change.</li>
                  </ul>
                </div>
              )}
              onConfirm={() => rotate(false)}
            />
          </div>
          <div className="keys-rotate-choice">
            <h3>Replace every key now</h3>
            <p>Only when a key may have leaked: the new keys sign at once and every other key is removed, which signs everyone out.</p>
            <ConfirmButton
              label="Rotate now" danger confirmLabel="Replace every key now" disabled={!keys.data}
              question={(
                <div className="keys-dialog-text">
                  <h2>Replace every key now?</h2>
                  <p>Use this only for a compromised key. New keys sign from now on and every other key is removed at once:</p>
                  <ul>
                    <li>id_tokens issued before no longer verify;</li>
                    <li>every browser session and sign-in under way ends, so people sign in again;</li>
                    <li>applications that cached the JWKS must fetch it again.</li>
                  </ul>
                  <p>Refresh tokens keep working.</p>
                </div>
              )}
              onConfirm={() => rotate(true)}
            />
          </div>
        </div>
      </Section>
    </Page>
  );
}
