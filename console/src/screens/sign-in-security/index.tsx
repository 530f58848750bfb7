import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/api-client';
import { RadioGroup } from '../../ui/fields';
import { Page, Section } from '../../ui/page';
import { DeclaredSettingsNote, ErrorNotice, Loading, SuccessNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';

type Policy = 'off' | 'optional' | 'required';
type ForAdministrators = 'automatic' | 'always' | 'never';

/** GET and PUT /api/v1/settings/mfa (docs/management-api.md#mfa-settings). */
interface MfaSettings {
  policy: Policy;
  /** null: automatic, required once any administrator has a second factor. */
  require_for_administrators: boolean | null;
  /** What require_for_administrators amounts to now. */
  administrators_required: boolean;
  owner: 'database' | 'config_file';
}

const policyOptions = [
  { value: 'off', label: 'Off', description: 'No second factor is asked unless an application or a request demands it.' },
  { value: 'optional', label: 'Optional', description: 'Users who set up a factor are asked for it at every sign-in.' },
  { value: 'required', label: 'Required', description: 'Everyone must have one, and those without are asked to set one up at their next sign-in.' },
] as const;

const administratorOptions = [
  { value: 'automatic', label: 'Automatic', description: 'Off until an administrator sets up a second factor; from then on every administrator must give one.' },
  { value: 'always', label: 'Always', description: 'Every administrator gives a second factor; one without sets one up at their next sign-in.' },
  { value: 'never', label: 'Never', description: 'Administrators follow the policy above like everyone else.' },
] as const;

const choiceOf = (value: boolean | null): ForAdministrators => (value === null ? 'automatic' : value ? 'always' : 'never');
const valueOf = (choice: ForAdministrators): boolean | null => (choice === 'automatic' ? null : choice === 'always');

/** How sign-ins prove who someone is beyond the password: the global second-factor policy. */
export function SignInSecurityArea() {
  const loaded = useLoad(() => api<MfaSettings>('GET', '/settings/mfa'), []);
  return (
    <Page title="Sign-in security" description="When people must give a second factor (an authenticator app or a passkey) besides their password. Applications can ask for more in their own settings.">
      {loaded.error && <ErrorNotice error={loaded.error} />}
      {loaded.data ? <MfaForm initial={loaded.data} /> : !loaded.error && <Loading rows={6} />}
    </Page>
  );
}

function MfaForm({ initial }: { initial: MfaSettings }) {
  const [saved, setSaved] = useState(initial);
  const [policy, setPolicy] = useState<Policy>(initial.policy);
  const [administrators, setAdministrators] = useState<ForAdministrators>(choiceOf(initial.require_for_administrators));
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fields : {};
  const readOnly = saved.owner === 'config_file';

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setDone('');
    setError(undefined);
    try {
      // Only what changed: another administrator's change to the other field stays.
      const change: Partial<Pick<MfaSettings, 'policy' | 'require_for_administrators'>> = {};
      if (policy !== saved.policy) change.policy = policy;
      if (valueOf(administrators) !== saved.require_for_administrators) change.require_for_administrators = valueOf(administrators);
      const answer = await api<MfaSettings>('PUT', '/settings/mfa', change);
      setSaved(answer);
      setPolicy(answer.policy);
      setAdministrators(choiceOf(answer.require_for_administrators));
      setDone('Saved. The next sign-in follows it, on every instance; people signed in already keep their sessions.');
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      {readOnly && <DeclaredSettingsNote section="mfa" />}
      <ErrorNotice error={error} />
      <SuccessNotice>{done}</SuccessNotice>
      <Section title="Second factor">
        <RadioGroup legend="Policy" name="mfa-policy" options={policyOptions} value={policy} onChange={setPolicy} error={fields.policy} disabled={readOnly} />
        <RadioGroup
          legend="Require a second factor for administrators" name="mfa-administrators" options={administratorOptions} value={administrators}
          onChange={setAdministrators} error={fields.require_for_administrators} disabled={readOnly}
        />
        <p className="field-hint">{effectiveSentence(saved)}</p>
        {!readOnly && (
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Saving…' : 'Save policy'}</button>
          </div>
        )}
      </Section>
    </form>
  );
}

/** What the administrators' setting amounts to now, as saved. */
function effectiveSentence(settings: MfaSettings): string {
  const now = settings.administrators_required
    ? 'Now: administrators must give a second factor at sign-in'
    : 'Now: administrators are asked for a second factor only as the policy asks everyone';
  if (settings.require_for_administrators !== null) return `${now}.`;
  return settings.administrators_required ? `${now}, since an administrator has set one up.` : `${now}, since no administrator has set one up yet.`;
}
