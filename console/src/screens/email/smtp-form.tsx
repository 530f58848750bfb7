import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/api-client';
import { CheckboxGroup, Field, SelectField, TextField } from '../../ui/fields';
import { Section } from '../../ui/page';
import { DeclaredSettingsNote, ErrorNotice, SuccessNotice } from '../../ui/states';
import { defaultPorts, type EmailSettings, type TlsMode } from './types';

const tlsOptions = [
  { value: 'starttls', label: 'STARTTLS (usually port 587)' },
  { value: 'tls', label: 'TLS from the start (usually port 465)' },
  { value: 'none', label: 'None: no encryption (usually port 25)' },
] as const;

interface FormState {
  host: string;
  port: string;
  tls: TlsMode;
  allowInsecure: boolean;
  user: string;
  /** Typed now; empty keeps the stored one. */
  password: string;
  fromAddress: string;
  fromName: string;
}

const stateOf = (settings: EmailSettings): FormState => ({
  host: settings.host ?? '',
  port: settings.port === null ? '' : String(settings.port),
  tls: settings.tls ?? 'starttls',
  allowInsecure: settings.allow_insecure,
  user: settings.user ?? '',
  password: '',
  fromAddress: settings.from?.address ?? '',
  fromName: settings.from?.name ?? '',
});

/** The API's messages by field, nested ones by their whole path (`from.address`), so each shows beside its own field. */
function fieldErrors(error: Error | undefined): Record<string, string> {
  const byField: Record<string, string> = {};
  if (!(error instanceof ApiError)) return byField;
  for (const { path, message } of error.details) {
    if (!path.startsWith('body.')) continue;
    const field = path.slice('body.'.length);
    byField[field] = byField[field] ? `${byField[field]}; ${message}` : message;
  }
  return byField;
}

/** The SMTP settings: the whole setting is sent, the password only when typed (left out, the server keeps the stored one). */
export function SmtpForm({ initial, onSaved }: { initial: EmailSettings; onSaved: () => void }) {
  const [saved, setSaved] = useState(initial);
  const [state, setState] = useState(() => stateOf(initial));
  const [error, setError] = useState<Error>();
  const [portError, setPortError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof FormState>(name: K) => (value: FormState[K]) => setState((before) => ({ ...before, [name]: value }));
  const fields = fieldErrors(error);
  const readOnly = saved.owner === 'config_file';

  async function save(event: FormEvent) {
    event.preventDefault();
    setDone('');
    setError(undefined);
    const port = state.port.trim();
    if (port !== '' && !/^\d+$/.test(port)) {
      setPortError('must be a whole number from 1 to 65535');
      return;
    }
    setPortError('');
    setBusy(true);
    try {
      const user = state.user.trim();
      const name = state.fromName.trim();
      const answer = await api<EmailSettings>('PUT', '/settings/email', {
        host: state.host.trim(),
        ...(port === '' ? {} : { port: Number(port) }),
        tls: state.tls,
        allow_insecure: state.tls === 'none' && state.allowInsecure,
        // Without a user name there is no authentication: the server drops a stored password too.
        ...(user === '' ? {} : { user }),
        ...(state.password === '' ? {} : { password: state.password }),
        from: { address: state.fromAddress.trim(), ...(name === '' ? {} : { name }) },
      });
      setDone(saved.configured
        ? 'Saved. The next message is sent with these settings, on every instance.'
        : 'Saved. Password reset and email verification can send mail now; the outbox below shows what becomes of each message.');
      setSaved(answer);
      setState(stateOf(answer));
      onSaved();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  }

  const passwordHint = saved.has_password
    ? 'A password is stored, and never shown. Leave this empty to keep it; type it again when you change the host, port, TLS mode or user name, since a stored password only goes to the server it was given for.'
    : 'Needs a user name. Stored encrypted, never shown again.';

  return (
    <Section title="SMTP settings">
      <form onSubmit={(event) => void save(event)} noValidate>
        {!saved.configured && (
          <div className="notice notice-info">
            <p><strong>Email is not configured.</strong> Password reset and email verification cannot send mail: their pages tell people it is not available and to ask an administrator, and account notices are not sent. Enter your mail server (your relay or a provider's SMTP endpoint) to turn them on.</p>
          </div>
        )}
        {readOnly && <DeclaredSettingsNote section="email" />}
        <ErrorNotice error={error} />
        <SuccessNotice>{done}</SuccessNotice>
        <div className="email-fields">
          <TextField label="Host" value={state.host} onChange={set('host')} error={fields.host} required readOnly={readOnly} placeholder="smtp.example.com"
            hint="The mail server's name or IP address, without scheme or port." />
          <Field label="Port" error={portError || fields.port} hint={`Empty: ${defaultPorts[state.tls]}, the usual port for this TLS mode.`}>
            {({ id, describedBy, invalid }) => (
              <input id={id} name="port" type="text" inputMode="numeric" value={state.port} placeholder={String(defaultPorts[state.tls])} readOnly={readOnly}
                autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid || undefined} onChange={(e) => set('port')(e.target.value)} />
            )}
          </Field>
        </div>
        <SelectField label="TLS mode" value={state.tls} onChange={set('tls')} options={tlsOptions} error={fields.tls} disabled={readOnly}
          hint="STARTTLS must succeed, or nothing is sent. None sends the password and every message in clear: only to a mail server on this machine (127.0.0.1, ::1) unless you allow it below." />
        {state.tls === 'none' && (
          <CheckboxGroup
            legend="Unencrypted connection" value={state.allowInsecure ? ['allow'] : []} onChange={(value) => set('allowInsecure')(value.includes('allow'))}
            error={fields.allow_insecure} disabled={readOnly}
            options={[{ value: 'allow', label: 'Allow it to a mail server that is not on this machine', description: 'Only on a network you trust, such as a relay container beside Gatehouse: reset links and the password cross it readable.' }]}
          />
        )}
        <div className="email-fields">
          <TextField label="User name" value={state.user} onChange={set('user')} error={fields.user} readOnly={readOnly}
            hint="When the mail server asks for authentication; empty: none." />
          <TextField label="Password" type="password" value={state.password} onChange={set('password')} error={fields.password} readOnly={readOnly}
            autoComplete="new-password" placeholder={saved.has_password ? 'unchanged' : ''} hint={passwordHint} />
        </div>
        <div className="email-fields">
          <TextField label="Sender address" type="email" value={state.fromAddress} onChange={set('fromAddress')} error={fields['from.address'] ?? fields.from} required readOnly={readOnly}
            placeholder="id@example.com" hint="On a domain whose SPF, DKIM and DMARC let this mail server send for it." />
          <TextField label="Sender name" value={state.fromName} onChange={set('fromName')} error={fields['from.name']} readOnly={readOnly}
            placeholder="Example ID" hint="What people see as the sender, e.g. your product's name." />
        </div>
        {!readOnly && (
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Saving…' : 'Save settings'}</button>
          </div>
        )}
        <p className="field-hint">To check them end to end, run <code>gatehouse mail test ADDRESS</code> beside the server: it sends a test message through the outbox and waits for the outcome.</p>
      </form>
    </Section>
  );
}
