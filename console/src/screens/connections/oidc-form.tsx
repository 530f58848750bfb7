import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/api-client';
import { CopyValue } from '../../ui/copy';
import { LinesField, RadioGroup, SelectField, TextField } from '../../ui/fields';
import { ErrorNotice } from '../../ui/states';
import { fieldErrorsOf, otherFieldErrors, Step, useFocusFirstError } from './form-parts';
import { OidcSwitches } from './oidc-switches';
import type { OidcConnection, Provisioning, TokenEndpointAuthMethod } from './types';
import { discoverySuffix, idFromName, oidcUrls } from './urls';
import { vendorOf, vendors, VendorTabs, type VendorId } from './vendors';

/** What the form holds: the API's fields as the controls edit them. */
export interface OidcDraft {
  name: string;
  id: string;
  source: 'discovery' | 'manual';
  discovery_url: string;
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint: string;
  end_session_endpoint: string;
  client_id: string;
  client_secret: string;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  scopes: string;
  username_claim: string;
  provisioning: Provisioning;
  update_profile: 'on_login' | 'never';
  groups_claim: string;
  email_domains: string[];
  forward_login_hint: boolean;
  trust_upstream_mfa: boolean;
  enabled: boolean;
}

const manualFields = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint'] as const;

export const emptyOidcDraft: OidcDraft = {
  name: '', id: '', source: 'discovery', discovery_url: '',
  issuer: '', authorization_endpoint: '', token_endpoint: '', jwks_uri: '', userinfo_endpoint: '', end_session_endpoint: '',
  client_id: '', client_secret: '', token_endpoint_auth_method: 'client_secret_basic',
  scopes: 'openid profile email', username_claim: 'preferred_username', provisioning: 'create', update_profile: 'on_login',
  groups_claim: '', email_domains: [], forward_login_hint: true, trust_upstream_mfa: false, enabled: true,
};

export function draftOf(connection: OidcConnection): OidcDraft {
  return {
    name: connection.name,
    id: connection.id,
    source: connection.discovery_url ? 'discovery' : 'manual',
    discovery_url: connection.discovery_url ?? '',
    issuer: connection.issuer ?? '',
    authorization_endpoint: connection.authorization_endpoint ?? '',
    token_endpoint: connection.token_endpoint ?? '',
    jwks_uri: connection.jwks_uri ?? '',
    userinfo_endpoint: connection.userinfo_endpoint ?? '',
    end_session_endpoint: connection.end_session_endpoint ?? '',
    client_id: connection.client_id,
    client_secret: '',
    token_endpoint_auth_method: connection.token_endpoint_auth_method,
    scopes: connection.scopes.join(' '),
    username_claim: connection.username_claim,
    provisioning: connection.provisioning,
    update_profile: connection.update_profile,
    groups_claim: connection.groups_claim ?? '',
    email_domains: connection.email_domains,
    forward_login_hint: connection.forward_login_hint,
    trust_upstream_mfa: connection.trust_upstream_mfa,
    enabled: connection.enabled,
  };
}

const orUndefined = (value: string) => (value.trim() === '' ? undefined : value.trim());

/** The request body: POST takes the id and the secret; PUT takes neither id nor, to keep it, the secret. */
function bodyOf(draft: OidcDraft, mode: 'create' | 'edit'): Record<string, unknown> {
  const endpoints = draft.source === 'discovery'
    ? { discovery_url: orUndefined(draft.discovery_url) }
    : Object.fromEntries(manualFields.map((field) => [field, orUndefined(draft[field])]));
  return {
    ...(mode === 'create' ? { id: draft.id.trim() } : {}),
    type: 'oidc',
    name: draft.name,
    enabled: draft.enabled,
    ...endpoints,
    client_id: draft.client_id.trim(),
    client_secret: mode === 'create' ? draft.client_secret : orUndefined(draft.client_secret),
    token_endpoint_auth_method: draft.token_endpoint_auth_method,
    scopes: draft.scopes.trim(),
    username_claim: draft.username_claim.trim(),
    provisioning: draft.provisioning,
    update_profile: draft.update_profile,
    groups_claim: orUndefined(draft.groups_claim),
    email_domains: draft.email_domains.filter((domain) => domain.trim() !== ''),
    forward_login_hint: draft.forward_login_hint,
    trust_upstream_mfa: draft.trust_upstream_mfa,
  };
}

const shownFields = ['id', 'name', 'enabled', 'discovery_url', ...manualFields, 'client_id', 'client_secret', 'token_endpoint_auth_method', 'scopes',
  'username_claim', 'provisioning', 'update_profile', 'groups_claim', 'email_domains', 'forward_login_hint', 'trust_upstream_mfa', 'type'];

interface OidcFormProps {
  mode: 'create' | 'edit';
  initial: OidcDraft;
  /** The provider whose hints show first. */
  initialVendor?: VendorId;
  onSaved: (connection: OidcConnection) => void;
  onCancel?: () => void;
}

/**
 * An upstream OpenID Connect provider: which one, its id (and so Gatehouse's callback URL, shown
 * before anything is asked of the provider), the values copied from it, and who may sign in.
 */
export function OidcForm({ mode, initial, initialVendor = 'other', onSaved, onCancel }: OidcFormProps) {
  const [draft, setDraft] = useState<OidcDraft>(initial);
  const [vendor, setVendor] = useState<VendorId>(initialVendor);
  const [idTouched, setIdTouched] = useState(mode === 'edit');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof OidcDraft>(field: K, value: OidcDraft[K]) => setDraft((before) => ({ ...before, [field]: value }));
  const fields = fieldErrorsOf(error);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, error);
  const creating = mode === 'create';
  const urls = oidcUrls(draft.id);
  const { label: vendorLabel, discoveryExample } = vendorOf(vendor);
  const provider = vendor === 'other' ? 'the provider' : vendorLabel;

  function chooseVendor(id: VendorId) {
    const before = vendorOf(vendor).defaults;
    const next = vendorOf(id).defaults;
    setVendor(id);
    if (!creating) return;
    // Only what the administrator has not typed follows the provider's defaults.
    setDraft((d) => ({
      ...d,
      name: d.name === '' || d.name === before.name ? next.name : d.name,
      id: !idTouched ? next.id || idFromName(d.name === before.name ? next.name : d.name) : d.id,
      discovery_url: d.discovery_url === '' || d.discovery_url === before.discoveryUrl ? next.discoveryUrl ?? '' : d.discovery_url,
      username_claim: d.username_claim === (before.usernameClaim ?? 'preferred_username') ? next.usernameClaim ?? 'preferred_username' : d.username_claim,
      token_endpoint_auth_method: d.token_endpoint_auth_method === (before.authMethod ?? 'client_secret_basic') ? next.authMethod ?? 'client_secret_basic' : d.token_endpoint_auth_method,
    }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = bodyOf(draft, mode);
      const saved = creating
        ? await api<OidcConnection>('POST', '/connections', body)
        : await api<OidcConnection>('PUT', `/connections/${encodeURIComponent(draft.id)}`, body);
      onSaved(saved);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  }

  const stray = otherFieldErrors(fields, shownFields);
  const discoveryLooksLikeIssuer = draft.discovery_url.trim() !== '' && !draft.discovery_url.trim().replace(/\/$/, '').endsWith(discoverySuffix);
  let step = 0;

  return (
    <form ref={form} onSubmit={submit} noValidate className="connection-form">
      <ErrorNotice error={error} />
      {stray.length > 0 && <ul className="notice notice-error stray-errors">{stray.map((line) => <li key={line}>{line}</li>)}</ul>}
      {creating && (
        <Step number={++step} title="Choose the provider" description="This only picks the hints and sensible defaults; any OpenID Connect provider works.">
          <div className="cards" role="group" aria-label="Provider">
            {vendors.map((v) => (
              <button key={v.id} type="button" className="card-choice" aria-pressed={vendor === v.id} onClick={() => chooseVendor(v.id)}>
                <strong>{v.label}</strong>
                <span>{v.blurb}</span>
              </button>
            ))}
          </div>
        </Step>
      )}

      <Step number={creating ? ++step : undefined} title={creating ? 'Name the connection' : 'Connection'}
        description={creating ? 'The id is part of the URLs you register at the provider, so choose it once.' : undefined}>
        <div className="grid-2">
          <TextField
            label="Name" value={draft.name} error={fields.name} required
            hint="The label of its button on the login page, e.g. “Corp account”."
            onChange={(value) => {
              set('name', value);
              if (!idTouched) set('id', idFromName(value));
            }}
          />
          {creating && (
            <TextField
              label="Connection id" value={draft.id} error={fields.id} required
              hint="1 to 64 lower-case letters, digits, - or _; it cannot be changed later."
              onChange={(value) => {
                setIdTouched(true);
                set('id', value);
              }}
            />
          )}
        </div>
      </Step>

      {creating && (
        <Step number={++step} title={`Register Gatehouse at ${provider}`}
          description={`Create a web application at ${provider} and paste this callback URL into it before copying its values.`}>
          <div className="callback-box">
            <CopyValue label="Callback URL (redirect URI)" value={urls.redirectUri} hint="It follows the connection id above; the provider compares it character for character." />
            <CopyValue label="Sign-out URL (post-logout redirect URI)" value={urls.postLogoutRedirectUri} hint="Optional: lets signing out of Gatehouse end the provider's session too." />
          </div>
          <VendorTabs value={vendor} onChange={chooseVendor} part="register" />
        </Step>
      )}

      <Step number={creating ? ++step : undefined} title={creating ? `Copy ${provider}'s values` : 'The provider'}
        description={creating ? 'Gatehouse reads the endpoints and keys from the discovery document; type them in only for a provider without one.' : undefined}>
        {creating && <VendorTabs value={vendor} onChange={chooseVendor} part="copy" />}
        <RadioGroup
          legend="Provider's metadata" name="metadata-source" value={draft.source} onChange={(value) => set('source', value)}
          options={[
            { value: 'discovery', label: 'From its discovery document', description: 'The issuer followed by /.well-known/openid-configuration: one URL, everything else is read from it.' },
            { value: 'manual', label: 'Endpoints typed in', description: 'For a provider that publishes no discovery document: issuer, authorization, token and key set URLs.' },
          ]}
        />
        {draft.source === 'discovery' ? (
          <>
            <TextField
              label="Discovery URL" type="url" value={draft.discovery_url} error={fields.discovery_url} placeholder={discoveryExample}
              hint="Must end in /.well-known/openid-configuration; what comes before it is the issuer Gatehouse expects."
              onChange={(value) => set('discovery_url', value)}
            />
            {fields.discovery_url && discoveryLooksLikeIssuer && (
              <p className="fix-suggestion">
                Is this the issuer?{' '}
                <button type="button" className="button button-small" onClick={() => set('discovery_url', `${draft.discovery_url.trim().replace(/\/$/, '')}${discoverySuffix}`)}>
                  Add {discoverySuffix}
                </button>
              </p>
            )}
          </>
        ) : (
          <div className="grid-2">
            <TextField label="Issuer" type="url" value={draft.issuer} error={fields.issuer} required hint="The iss of the provider's id_tokens, exactly." onChange={(value) => set('issuer', value)} />
            <TextField label="Authorization endpoint" type="url" value={draft.authorization_endpoint} error={fields.authorization_endpoint} required hint="Where the browser signs in at the provider." onChange={(value) => set('authorization_endpoint', value)} />
            <TextField label="Token endpoint" type="url" value={draft.token_endpoint} error={fields.token_endpoint} required hint="Where Gatehouse redeems the code with the client secret." onChange={(value) => set('token_endpoint', value)} />
            <TextField label="Key set URL (jwks_uri)" type="url" value={draft.jwks_uri} error={fields.jwks_uri} required hint="The keys that verify the provider's id_tokens." onChange={(value) => set('jwks_uri', value)} />
            <TextField label="Userinfo endpoint" type="url" value={draft.userinfo_endpoint} error={fields.userinfo_endpoint} hint="Optional: without it only the id_token's claims are read." onChange={(value) => set('userinfo_endpoint', value)} />
            <TextField label="End-session endpoint" type="url" value={draft.end_session_endpoint} error={fields.end_session_endpoint} hint="Optional: without it signing out ends only the Gatehouse session." onChange={(value) => set('end_session_endpoint', value)} />
          </div>
        )}
        <div className="grid-2">
          <TextField label="Client ID" value={draft.client_id} error={fields.client_id} required hint="The application's client ID at the provider." onChange={(value) => set('client_id', value)} />
          <TextField
            label="Client secret" type="password" value={draft.client_secret} error={fields.client_secret} required={creating} autoComplete="new-password"
            hint={creating ? 'Stored sealed; never shown again, here or in the audit log.' : 'Leave empty to keep the stored secret (needed again if the client ID, auth method or an endpoint changes).'}
            onChange={(value) => set('client_secret', value)}
          />
        </div>
        <SelectField
          label="How the secret is sent" value={draft.token_endpoint_auth_method} error={fields.token_endpoint_auth_method}
          onChange={(value) => set('token_endpoint_auth_method', value)}
          hint="Must be what the provider's application is set to: OneLogin's “POST” is the form body; Okta and Google take Basic."
          options={[
            { value: 'client_secret_basic', label: 'HTTP Basic (client_secret_basic)' },
            { value: 'client_secret_post', label: 'In the form body (client_secret_post)' },
          ]}
        />
      </Step>

      <Step number={creating ? ++step : undefined} title="Who may sign in" description={creating ? 'Every option has a default that fits most providers.' : undefined}>
        <RadioGroup
          legend="Accounts" name="provisioning" value={draft.provisioning} error={fields.provisioning} onChange={(value) => set('provisioning', value)}
          options={[
            { value: 'create', label: 'Create accounts just in time', description: 'Anyone the provider signs in gets a Gatehouse account at their first sign-in; an existing account is never taken over by name.' },
            { value: 'existing_users_only', label: 'Known users only', description: 'Only people with an account here sign in, matched by user name or verified email; nobody is created.' },
          ]}
        />
        <div className="grid-pairs">
          <TextField label="User name claim" value={draft.username_claim} error={fields.username_claim} hint="The claim that names the Gatehouse user; Google needs email." onChange={(value) => set('username_claim', value)} />
          <TextField label="Scopes" value={draft.scopes} error={fields.scopes} hint="Space-separated; must include openid. Add groups if the provider needs it." onChange={(value) => set('scopes', value)} />
          <TextField label="Groups claim" value={draft.groups_claim} error={fields.groups_claim} placeholder="groups" hint="Optional: the claim (a list of names) that becomes the user's groups." onChange={(value) => set('groups_claim', value)} />
          <SelectField
            label="Profile updates" value={draft.update_profile} error={fields.update_profile} onChange={(value) => set('update_profile', value)}
            hint="Whether name, email and groups follow the provider at each sign-in."
            options={[{ value: 'on_login', label: 'At every sign-in' }, { value: 'never', label: 'Only when the account is created' }]}
          />
        </div>
        <LinesField
          label="Email domains" value={draft.email_domains} error={fields.email_domains} placeholder="example.com"
          hint="One a line, optional: someone typing an address of these domains on the login page is sent to this provider."
          onChange={(value) => set('email_domains', value)}
        />
        <OidcSwitches values={draft} errors={fields} onChange={set} />
      </Step>

      <div className="button-row form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>{creating ? 'Create connection' : 'Save changes'}</button>
        {onCancel && <button type="button" className="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
