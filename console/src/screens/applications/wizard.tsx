import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError } from '../../api/api-client';
import { TextField } from '../../ui/fields';
import { Page } from '../../ui/page';
import { ErrorNotice } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { discovery } from './discovery';
import { kinds, presetOf, suggestClientId, type Kind } from './presets';
import { applicationSecrets } from './secret-handoff';
import { AdvancedFields, advancedFields, bodyOf, MfaField, ModesSummary, RedirectFields, usesBrowser } from './settings-form';
import type { SavedApplication, Settings } from './types';

function initialSettings(kind: Kind): Settings {
  const { settings } = presetOf(kind);
  return {
    client_name: '', redirect_uris: [], post_logout_redirect_uris: [], scopes: [], id_token_signed_response_alg: 'RS256', mfa: 'inherit',
    require_verified_email: false, branding: { name: '', logo_uri: '', primary_color: '', background_color: '' },
    ...settings, grant_types: [...settings.grant_types], response_types: [...settings.response_types],
  };
}

/** Create an application: its type first (which pre-selects safe settings), then its name and addresses. */
export function CreateWizard() {
  const [, navigate] = useLocation();
  const [kind, setKind] = useState<Kind | undefined>();
  const [step, setStep] = useState<1 | 2>(1);
  const [settings, setSettings] = useState<Settings>(() => initialSettings('web'));
  const [clientId, setClientId] = useState('');
  const [clientIdEdited, setClientIdEdited] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const offered = useLoad(async () => (await discovery()).scopes_supported ?? [], []);
  const preset = kind ? presetOf(kind) : undefined;
  // Redirect URIs belong to the modes that send a browser to Gatehouse, whatever type was chosen first.
  const showRedirects = usesBrowser(settings.grant_types);

  const shownStep = useRef(step);
  useEffect(() => {
    // Keyboard and screen reader users land on the new step's heading (not when the wizard opens).
    if (shownStep.current === step) return;
    shownStep.current = step;
    stepHeading.current?.focus();
  }, [step]);

  const choose = (next: Kind) => {
    if (next !== kind) {
      setKind(next);
      setSettings((before) => ({
        ...initialSettings(next), client_name: before.client_name, redirect_uris: before.redirect_uris, post_logout_redirect_uris: before.post_logout_redirect_uris, mfa: before.mfa,
      }));
    }
  };

  const fields: Record<string, string> = { ...(error instanceof ApiError ? error.fields : {}) };
  if (error instanceof ApiError && error.code === 'conflict' && !fields.client_id) fields.client_id = error.message;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!preset) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = { client_id: clientId.trim(), ...bodyOf(showRedirects ? settings : { ...settings, redirect_uris: [], post_logout_redirect_uris: [] }) };
      const created = await api<SavedApplication>('POST', '/applications', body);
      if (created.client_secret) applicationSecrets.handOver(created.client_id, created.client_secret);
      navigate(`/${encodeURIComponent(created.client_id)}`);
    } catch (failure) {
      const problem = failure instanceof Error ? failure : new Error(String(failure));
      setError(problem);
      if (problem instanceof ApiError && Object.keys(problem.fields).some((field) => advancedFields.includes(field))) setAdvancedOpen(true);
      setBusy(false);
    }
  }

  return (
    <Page
      title="Create an application"
      description="Choose what kind of application it is: Gatehouse pre-selects the safe authorization modes for it, which you can change later."
      actions={<Link href="/" className="button">Cancel</Link>}
    >
      <ol className="app-steps" aria-label="Steps">
        <li aria-current={step === 1 ? 'step' : undefined}><span className="app-step-number">1</span> Application type</li>
        <li aria-current={step === 2 ? 'step' : undefined}><span className="app-step-number">2</span> Settings</li>
      </ol>

      {step === 1 && (
        <section className="panel" aria-labelledby="wizard-step-1">
          <h2 id="wizard-step-1" ref={stepHeading} tabIndex={-1} className="app-step-title">What kind of application is it?</h2>
          <div className="cards app-kinds">
            {kinds.map((option) => (
              <button
                key={option.kind} type="button" className="card-choice" aria-pressed={kind === option.kind}
                onClick={() => choose(option.kind)}
              >
                <strong>{option.title}</strong>
                <span>{option.sentence}</span>
                <span className="app-kind-mode">{option.mode}</span>
              </button>
            ))}
          </div>
          <div className="button-row">
            <button type="button" className="button button-primary" disabled={!kind} onClick={() => setStep(2)}>Continue</button>
          </div>
        </section>
      )}

      {step === 2 && preset && (
        <form className="panel" aria-labelledby="wizard-step-2" onSubmit={(event) => void submit(event)} noValidate>
          <div className="app-step-header">
            <h2 id="wizard-step-2" ref={stepHeading} tabIndex={-1} className="app-step-title">{preset.title}</h2>
            <button type="button" className="button button-small" onClick={() => setStep(1)}>Change type</button>
          </div>
          <ErrorNotice error={error} />
          <div className="grid-2">
            <TextField
              label="Name" value={settings.client_name} error={fields.client_name} required
              hint="Shown to people on the consent page, e.g. Network Notes."
              onChange={(client_name) => {
                setSettings({ ...settings, client_name });
                if (!clientIdEdited) setClientId(suggestClientId(client_name));
              }}
            />
            <TextField
              label="Client ID" value={clientId} error={fields.client_id} required
              hint="Sent by the application with every request: letters, digits, dots, dashes, underscores. It cannot be changed later."
              onChange={(value) => {
                setClientId(value);
                setClientIdEdited(value !== '');
              }}
            />
          </div>
          {showRedirects
            ? <RedirectFields settings={settings} onChange={setSettings} errors={fields} preset={preset} />
            : <p className="notice notice-info">This application never sends a browser to Gatehouse, so it has no redirect URIs: it asks the token endpoint for tokens with its client ID and secret.</p>}
          <ModesSummary settings={settings} preset={preset} />
          <details className="app-advanced" open={advancedOpen} onToggle={(event) => setAdvancedOpen(event.currentTarget.open)}>
            <summary>Advanced: grant types, authentication, id_token algorithm, allowed scopes, second factor</summary>
            <div className="app-advanced-body">
              <AdvancedFields settings={settings} onChange={setSettings} errors={fields} scopesOffered={offered.data ?? []} />
              <MfaField settings={settings} onChange={setSettings} errors={fields} />
            </div>
          </details>
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Creating…' : 'Create application'}</button>
            <button type="button" className="button" onClick={() => setStep(1)}>Back</button>
          </div>
        </form>
      )}
    </Page>
  );
}
