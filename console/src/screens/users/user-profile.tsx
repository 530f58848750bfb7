import { useState, type FormEvent } from 'react';
import { api } from '../../api/api-client';
import { Field, TextField } from '../../ui/fields';
import { Section } from '../../ui/page';
import { ErrorNotice, SuccessNotice } from '../../ui/states';
import { fieldErrorsOf } from './shared';
import type { User } from './types';

type TextClaim = 'name' | 'given_name' | 'family_name' | 'middle_name' | 'nickname' | 'preferred_username' | 'phone_number'
  | 'birthdate' | 'gender' | 'locale' | 'zoneinfo' | 'picture' | 'website' | 'profile';
type FlagClaim = 'email_verified' | 'phone_number_verified';

/** The profile claims shown at once, and those folded under "More profile claims", with what each is. */
const mainClaims: readonly { claim: TextClaim; label: string; hint?: string }[] = [
  { claim: 'name', label: 'Full name' },
  { claim: 'given_name', label: 'Given name' },
  { claim: 'family_name', label: 'Family name' },
  { claim: 'preferred_username', label: 'Preferred user name', hint: 'Shown by applications instead of the user name.' },
];
const moreClaims: readonly { claim: TextClaim; label: string; hint?: string; type?: 'url' }[] = [
  { claim: 'middle_name', label: 'Middle name' },
  { claim: 'nickname', label: 'Nickname' },
  { claim: 'phone_number', label: 'Phone number', hint: 'E.164 is best: +1 555 0100.' },
  { claim: 'birthdate', label: 'Birth date', hint: 'YYYY-MM-DD, or the year alone.' },
  { claim: 'gender', label: 'Gender' },
  { claim: 'locale', label: 'Locale', hint: 'A language tag: en-GB, fr-CA.' },
  { claim: 'zoneinfo', label: 'Time zone', hint: 'From the tz database: Europe/Paris.' },
  { claim: 'picture', label: 'Picture URL', type: 'url' },
  { claim: 'website', label: 'Website', type: 'url' },
  { claim: 'profile', label: 'Profile page URL', type: 'url' },
];
const allClaims = [...mainClaims, ...moreClaims].map((c) => c.claim);

type Form = { username: string; email: string } & Record<TextClaim, string> & Record<FlagClaim, boolean>;

function formOf(user: User): Form {
  const form = { username: user.username, email: user.email ?? '', email_verified: user.email_verified ?? false, phone_number_verified: user.phone_number_verified ?? false } as Form;
  for (const claim of allClaims) form[claim] = user[claim] ?? '';
  return form;
}

/** What changed, as PATCH takes it: an emptied claim or email is null (removed). */
function changesOf(user: User, form: Form): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (form.username.trim() !== user.username) changes.username = form.username.trim();
  if (form.email.trim() !== (user.email ?? '')) changes.email = form.email.trim() === '' ? null : form.email.trim();
  for (const claim of allClaims) {
    const value = form[claim].trim();
    if (value !== (user[claim] ?? '')) changes[claim] = value === '' ? null : value;
  }
  for (const flag of ['email_verified', 'phone_number_verified'] as const) {
    if (form[flag] !== (user[flag] ?? false)) changes[flag] = form[flag];
  }
  // A new address is unverified unless the request says otherwise: the ticked box must be sent with it.
  if ('email' in changes && changes.email !== null) changes.email_verified = form.email_verified;
  return changes;
}

/** The user name, email and profile claims (OpenID Connect Core §5.1); read-only for a declared user. */
export function ProfileSection({ user, onSaved }: { user: User; onSaved: (user: User) => void }) {
  const [form, setForm] = useState(() => formOf(user));
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const fields = fieldErrorsOf(error);
  const readOnly = user.declared;
  const changes = changesOf(user, form);
  const changed = Object.keys(changes).length > 0;
  const set = <K extends keyof Form>(key: K) => (value: Form[K]) => {
    setForm({ ...form, [key]: value });
    setSaved(false);
  };
  const moreOpen = moreClaims.some(({ claim }) => user[claim] !== undefined || fields[claim] !== undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const updated = await api<User>('PATCH', `/users/${encodeURIComponent(user.id)}`, changes);
      setForm(formOf(updated));
      setSaved(true);
      onSaved(updated);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  }

  const textField = ({ claim, label, hint, type }: { claim: TextClaim; label: string; hint?: string; type?: 'url' }) => (
    <TextField key={claim} label={label} hint={hint} type={type ?? 'text'} value={form[claim]} onChange={set(claim)} error={fields[claim]} readOnly={readOnly} />
  );

  return (
    <Section title="Profile">
      <form onSubmit={submit} noValidate>
        <p className="section-intro">The claims applications receive in the ID token and from userinfo, by the scopes they ask for.</p>
        <ErrorNotice error={error} />
        <div className="grid-2">
          <TextField label="User name" value={form.username} onChange={set('username')} error={fields.username} readOnly={readOnly} required
            hint="Renaming keeps the user's identity (sub) and sessions." />
          <TextField label="Email" type="email" value={form.email} onChange={set('email')} error={fields.email} readOnly={readOnly}
            hint="A new address is no longer verified unless you tick the box again." />
          {mainClaims.map(textField)}
        </div>
        <Flag label="The email address is verified" checked={form.email_verified} onChange={set('email_verified')} disabled={readOnly || form.email.trim() === ''} error={fields.email_verified} />
        <details className="more-claims" open={moreOpen || undefined}>
          <summary>More profile claims</summary>
          <div className="grid-2">{moreClaims.map(textField)}</div>
          <Flag label="The phone number is verified" checked={form.phone_number_verified} onChange={set('phone_number_verified')} disabled={readOnly || form.phone_number.trim() === ''} error={fields.phone_number_verified} />
        </details>
        {!readOnly && (
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy || !changed}>{busy ? 'Saving…' : 'Save profile'}</button>
            {changed && <button type="button" className="button" onClick={() => { setForm(formOf(user)); setError(undefined); }}>Undo changes</button>}
          </div>
        )}
        {saved && !changed && <SuccessNotice>The profile is saved: applications see it from the next token they get.</SuccessNotice>}
      </form>
    </Section>
  );
}

function Flag({ label, checked, onChange, disabled, error }: { label: string; checked: boolean; onChange: (value: boolean) => void; disabled: boolean; error: string | undefined }) {
  return (
    <>
      <label className="checkbox-line">
        <input type="checkbox" checked={checked} disabled={disabled} onChange={(event) => onChange(event.target.checked)} />
        <span>{label}</span>
      </label>
      {error && <p className="field-error">{error}</p>}
    </>
  );
}

/** Extra claims of the application's own (department, employee number), as the JSON object the API stores. */
export function AttributesSection({ user, onSaved }: { user: User; onSaved: (user: User) => void }) {
  const original = JSON.stringify(user.attributes, null, 2);
  const [text, setText] = useState(original);
  const [error, setError] = useState<Error>();
  const [problem, setProblem] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const readOnly = user.declared;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setProblem(undefined);
    let attributes: unknown;
    try {
      attributes = JSON.parse(text.trim() === '' ? '{}' : text);
    } catch {
      setProblem('This is not valid JSON: write an object such as {"department": "Research"}.');
      return;
    }
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      setProblem('Write one JSON object, with a name for each value: {"department": "Research"}.');
      return;
    }
    setBusy(true);
    try {
      const updated = await api<User>('PATCH', `/users/${encodeURIComponent(user.id)}`, { attributes });
      setText(JSON.stringify(updated.attributes, null, 2));
      setSaved(true);
      onSaved(updated);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = problem ?? fieldErrorsOf(error).attributes;
  return (
    <Section title="Attributes">
      <form onSubmit={submit} noValidate>
        <p className="section-intro">Claims of your own for applications, beside the standard ones: each value is text, a number, true or false, or a list of text.</p>
        {!fieldError && <ErrorNotice error={error} />}
        <Field label="Attributes (JSON)" error={fieldError} hint={readOnly ? undefined : 'For example {"department": "Research", "cost_centre": 42}.'}>
          {({ id, describedBy, invalid }) => (
            <textarea
              id={id} rows={Math.min(12, Math.max(3, text.split('\n').length + 1))} value={text} readOnly={readOnly} spellCheck={false}
              aria-describedby={describedBy} aria-invalid={invalid || undefined}
              onChange={(event) => { setText(event.target.value); setSaved(false); }}
            />
          )}
        </Field>
        {!readOnly && (
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy || text === original}>{busy ? 'Saving…' : 'Save attributes'}</button>
          </div>
        )}
        {saved && text === JSON.stringify(user.attributes, null, 2) && <SuccessNotice>The attributes are saved.</SuccessNotice>}
      </form>
    </Section>
  );
}
