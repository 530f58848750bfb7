import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError } from '../../api/api-client';
import { ConfirmButton } from '../../ui/confirm';
import { LinesField, TextField } from '../../ui/fields';
import { Page, Section } from '../../ui/page';
import { DeclaredNote, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import type { Scope } from './types';

const claimsHint = 'One claim name per line. Each is taken from the user\'s profile field or attribute of that name, in the id_token and userinfo of applications granted this scope.';
const descriptionHint = 'What the consent page tells the user this scope shares.';

/** The fields of a scope and the API's words about them. */
function ScopeFields({ name, setName, description, setDescription, claims, setClaims, error, readOnly, isNew }: {
  name: string; setName?: (value: string) => void; description: string; setDescription: (value: string) => void;
  claims: string[]; setClaims: (value: string[]) => void; error: Error | undefined; readOnly?: boolean; isNew?: boolean;
}) {
  const fields = error instanceof ApiError ? error.fields : {};
  return (
    <>
      {isNew && setName && (
        <TextField
          label="Name" value={name} onChange={setName} error={fields.name}
          hint={<>What applications put in their <code>scope</code> parameter, e.g. <code>orders</code> or <code>hr:employee</code>: letters, digits and <code>_ . : -</code>.</>}
        />
      )}
      <TextField label="Description" value={description} onChange={setDescription} error={fields.description} hint={descriptionHint} readOnly={readOnly} />
      <LinesField label="Claims" value={claims} onChange={setClaims} error={fields.claims} hint={claimsHint} placeholder={'department\nemployee_id'} readOnly={readOnly} />
    </>
  );
}

/** The list of scopes: the area's own address, /console/scopes (a "/" would add a trailing slash). */
const listPath = '';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const tidy = (claims: string[]) => claims.map((claim) => claim.trim()).filter(Boolean);

export function NewScope() {
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [claims, setClaims] = useState<string[]>([]);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api<Scope>('POST', '/scopes', { name: name.trim(), description: description.trim(), claims: tidy(claims) });
      navigate(`/${created.name}`, { state: { notice: `The scope ${created.name} was created: applications can ask for it within a few seconds.` } });
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
    }
  }

  return (
    <Page title="Add a scope" description="A custom scope releases the claims you list to the applications that ask for it and are allowed to.">
      <form className="panel scopes-form" onSubmit={submit} noValidate>
        <ErrorNotice error={error} />
        <ScopeFields
          name={name} setName={setName} description={description} setDescription={setDescription}
          claims={claims} setClaims={setClaims} error={error} isNew
        />
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={busy}>Create scope</button>
          <Link href={listPath} className="button">Cancel</Link>
        </div>
      </form>
    </Page>
  );
}

export function EditScope({ name }: { name: string }) {
  const [, navigate] = useLocation();
  const loaded = useLoad(() => api<Scope>('GET', `/scopes/${encodeURIComponent(name)}`), [name]);
  const [notice] = useState<string | undefined>(() => (history.state as { notice?: string } | null)?.notice);

  return (
    <Page title={name} description="A custom scope: its description on the consent page and the claims it releases.">
      {loaded.error && (
        <>
          <ErrorNotice error={loaded.error} />
          <Link href={listPath} className="button">Back to scopes</Link>
        </>
      )}
      {!loaded.data && !loaded.error && <div className="panel scopes-narrow"><Loading rows={4} /></div>}
      {loaded.data && (
        <div className="scopes-narrow"><ScopeEditor
          key={loaded.data.updated_at} scope={loaded.data} notice={notice}
          onDeleted={() => navigate(listPath, { state: { notice: `The scope ${name} was deleted.` } })}
        /></div>
      )}
    </Page>
  );
}

function ScopeEditor({ scope, notice, onDeleted }: { scope: Scope; notice: string | undefined; onDeleted: () => void }) {
  const [description, setDescription] = useState(scope.description);
  const [claims, setClaims] = useState(scope.claims);
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<Error>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const updated = await api<Scope>('PUT', `/scopes/${encodeURIComponent(scope.name)}`, { description: description.trim(), claims: tidy(claims) });
      setDescription(updated.description);
      setClaims(updated.claims);
      setSaved('Saved: every instance releases the new claims within a few seconds.');
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <SuccessNotice>{saved}</SuccessNotice>
      {scope.declared && <DeclaredNote what="scope" />}
      <form className="panel" onSubmit={submit} noValidate>
        <ErrorNotice error={error} />
        <ScopeFields
          name={scope.name} description={description} setDescription={setDescription}
          claims={claims} setClaims={setClaims} error={error} readOnly={scope.declared}
        />
        <dl className="facts">
          <dt>Created</dt><dd><time dateTime={scope.created_at}>{when(scope.created_at)}</time></dd>
          <dt>Last changed</dt><dd><time dateTime={scope.updated_at}>{when(scope.updated_at)}</time></dd>
        </dl>
        <div className="button-row">
          {!scope.declared && <button type="submit" className="button button-primary" disabled={busy}>Save changes</button>}
          <Link href={listPath} className="button">Back to scopes</Link>
        </div>
      </form>
      {!scope.declared && (
        <Section title="Delete this scope">
          <ErrorNotice error={deleteError} />
          <p>Applications can no longer ask for it. Gatehouse refuses while an application still names it in its scopes.</p>
          <ConfirmButton
            label="Delete scope" danger confirmLabel="Delete scope"
            question={(
              <div className="scopes-dialog-text">
                <h2>Delete the scope {scope.name}?</h2>
                <p>Applications can no longer ask for it, and stop receiving its claims ({scope.claims.join(', ')}). This cannot be undone.</p>
              </div>
            )}
            onConfirm={async () => {
              setDeleteError(undefined);
              try {
                await api('DELETE', `/scopes/${encodeURIComponent(scope.name)}`);
                onDeleted();
              } catch (failure) {
                setDeleteError(failure as Error);
              }
            }}
          />
        </Section>
      )}
    </>
  );
}
