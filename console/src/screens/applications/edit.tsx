import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError } from '../../api/api-client';
import { TextField } from '../../ui/fields';
import { Page, Section } from '../../ui/page';
import { DeclaredNote, ErrorNotice, Loading } from '../../ui/states';
import { useLoad } from '../../ui/use-load';
import { discovery } from './discovery';
import { applicationSecrets } from './secret-handoff';
import { BrandingFields, brandingErrors } from './branding-fields';
import { AdvancedFields, bodyOf, MfaField, RedirectFields, settingsOf, signsPeopleIn, usesBrowser, VerifiedEmailField } from './settings-form';
import type { Application, SavedApplication, Settings } from './types';

/** Change an application's settings: the API replaces them whole, so the form sends every field. */
export function EditApplication({ clientId }: { clientId: string }) {
  const loaded = useLoad(() => api<Application>('GET', `/applications/${encodeURIComponent(clientId)}`), [clientId]);
  const offered = useLoad(async () => (await discovery()).scopes_supported ?? [], []);
  const application = loaded.data;
  const back = <Link href={`/${encodeURIComponent(clientId)}`} className="button">Cancel</Link>;
  return (
    <Page title={application ? `Edit ${application.client_name ?? application.client_id}` : 'Edit application'} description="Change where the browser comes back, what a sign-in to the application must prove, how its sign-in pages look, and which authorization modes it may use." actions={back}>
      {application
        ? application.declared
          ? <DeclaredNote what="application" />
          : <EditForm application={application} scopesOffered={offered.data ?? []} />
        : loaded.error ? <ErrorNotice error={loaded.error} /> : <Loading rows={8} />}
    </Page>
  );
}

function EditForm({ application, scopesOffered }: { application: Application; scopesOffered: readonly string[] }) {
  const [, navigate] = useLocation();
  const [settings, setSettings] = useState<Settings>(() => settingsOf(application));
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fields : {};
  const brandingFields = error instanceof ApiError ? brandingErrors(error.details) : {};
  const detail = `/${encodeURIComponent(application.client_id)}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api<SavedApplication>('PUT', `/applications/${encodeURIComponent(application.client_id)}`, bodyOf(settings, application));
      if (saved.client_secret) applicationSecrets.handOver(saved.client_id, saved.client_secret);
      navigate(detail);
    } catch (failure) {
      setError(failure instanceof Error ? failure : new Error(String(failure)));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <ErrorNotice error={error} />
      <Section title="Name and addresses">
        <TextField
          label="Name" value={settings.client_name} error={fields.client_name}
          hint="Shown to people on the consent page."
          onChange={(client_name) => setSettings({ ...settings, client_name })}
        />
        {(usesBrowser(settings.grant_types) || settings.redirect_uris.length > 0 || settings.post_logout_redirect_uris.length > 0)
          ? <RedirectFields settings={settings} onChange={setSettings} errors={fields} />
          : <p className="app-muted">This application has no redirect URIs: it does not send browsers to Gatehouse.</p>}
      </Section>
      {(signsPeopleIn(settings) || settings.require_verified_email || fields.mfa || fields.require_verified_email) && (
        <Section title="Sign-in">
          <MfaField settings={settings} onChange={setSettings} errors={fields} />
          <VerifiedEmailField settings={settings} onChange={setSettings} errors={fields} />
        </Section>
      )}
      {(usesBrowser(settings.grant_types) || Object.values(settings.branding).some(Boolean) || fields.branding) && (
        <Section title="Branding">
          <p className="app-muted">How the sign-in pages look while they serve this application's sign-ins, over the global branding.</p>
          <BrandingFields branding={settings.branding} onChange={(branding) => setSettings({ ...settings, branding })} errors={brandingFields} />
        </Section>
      )}
      <Section title="Authorization modes">
        <AdvancedFields settings={settings} onChange={setSettings} errors={fields} scopesOffered={scopesOffered} />
      </Section>
      <div className="button-row app-form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Saving…' : 'Save changes'}</button>
        <Link href={detail} className="button">Cancel</Link>
      </div>
    </form>
  );
}
