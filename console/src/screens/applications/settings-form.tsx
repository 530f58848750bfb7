import { CheckboxGroup, LinesField, RadioGroup, SelectField } from '../../ui/fields';
import {
  authMethodOptions, authMethodSentence, grantOptions, responseTypeOptions, responseTypesFor, signingAlgOptions, signingAlgSentence, type KindPreset,
} from './presets';
import type { Application, ApplicationMfa, GrantType, Settings } from './types';

/** What the consent page says for Gatehouse's own scopes; custom scopes are listed by name. */
const scopeSentences: Record<string, string> = {
  openid: 'Sign the person in (needed for an id_token).',
  offline_access: 'Refresh tokens, with the refresh token grant.',
  profile: 'Name and profile details.',
  email: 'Email address.',
  phone: 'Phone number.',
  address: 'Postal address.',
  groups: 'The groups the person belongs to.',
  'gatehouse:manage': 'Manage this Gatehouse server through its API: only for trusted administration tools.',
};

/** The form's settings from an application as the API shows it. */
export function settingsOf(application: Application): Settings {
  return {
    client_name: application.client_name ?? '',
    redirect_uris: application.redirect_uris,
    post_logout_redirect_uris: application.post_logout_redirect_uris,
    grant_types: application.grant_types,
    response_types: application.response_types,
    token_endpoint_auth_method: application.token_endpoint_auth_method,
    id_token_signed_response_alg: application.id_token_signed_response_alg,
    scopes: application.scope ? application.scope.split(' ') : [],
    application_type: application.application_type,
    mfa: application.mfa ?? 'inherit',
    require_verified_email: application.require_verified_email ?? false,
    branding: {
      name: application.branding?.name ?? '',
      logo_uri: application.branding?.logo_uri ?? '',
      primary_color: application.branding?.primary_color ?? '',
      background_color: application.branding?.background_color ?? '',
    },
  };
}

/** The branding fields that are filled in; none filled in, no branding of its own. */
function brandingBody(branding: Settings['branding']) {
  const given = Object.entries(branding).map(([name, value]) => [name, value.trim()] as const).filter(([, value]) => value !== '');
  return given.length ? { branding: Object.fromEntries(given) } : {};
}

/** The API's body for these settings (without client_id): every field, as a replacement needs. */
export function bodyOf(settings: Settings, kept: Partial<Pick<Application, 'id_token_claims_scopes' | 'logo_uri' | 'jwks_uri' | 'jwks'>> = {}) {
  const lines = (values: string[]) => values.map((value) => value.trim()).filter(Boolean);
  return {
    ...(settings.client_name.trim() ? { client_name: settings.client_name.trim() } : {}),
    redirect_uris: lines(settings.redirect_uris),
    post_logout_redirect_uris: lines(settings.post_logout_redirect_uris),
    grant_types: settings.grant_types,
    response_types: settings.response_types,
    token_endpoint_auth_method: settings.token_endpoint_auth_method,
    id_token_signed_response_alg: settings.id_token_signed_response_alg,
    ...(settings.scopes.length ? { scope: settings.scopes.join(' ') } : {}),
    application_type: settings.application_type,
    // Left out, it is inherit: bodies stay as short as what an operator writes in the configuration file.
    ...(settings.mfa !== 'inherit' ? { mfa: settings.mfa } : {}),
    ...(settings.require_verified_email ? { require_verified_email: true } : {}),
    ...brandingBody(settings.branding),
    ...(kept.id_token_claims_scopes ? { id_token_claims_scopes: kept.id_token_claims_scopes } : {}),
    ...(kept.logo_uri ? { logo_uri: kept.logo_uri } : {}),
    ...(kept.jwks_uri ? { jwks_uri: kept.jwks_uri } : {}),
    ...(kept.jwks ? { jwks: kept.jwks } : {}),
  };
}

/** Whether the application sends people's browsers back to it (and so needs redirect URIs). */
export function usesBrowser(grants: readonly GrantType[]): boolean {
  return grants.includes('authorization_code') || grants.includes('implicit');
}

/**
 * Whether its second-factor setting matters: people sign in to it (through the browser, or with
 * the password grant), or it was set anyway and should be seen to be changed back.
 */
export function showsMfa({ grant_types, mfa }: { grant_types: readonly GrantType[]; mfa?: ApplicationMfa | undefined }): boolean {
  return signsPeopleIn({ grant_types }) || (mfa ?? 'inherit') !== 'inherit';
}

/** Whether people sign in to it: through the browser, or with the password grant. */
export function signsPeopleIn({ grant_types }: { grant_types: readonly GrantType[] }): boolean {
  return usesBrowser(grant_types) || grant_types.includes('password');
}

/** The advanced fields, and the ones under them, whose errors should open the advanced part. */
export const advancedFields = ['grant_types', 'response_types', 'token_endpoint_auth_method', 'id_token_signed_response_alg', 'scope', 'application_type', 'jwks', 'jwks_uri', 'id_token_claims_scopes', 'mfa'];

interface Props {
  settings: Settings;
  onChange: (settings: Settings) => void;
  errors: Readonly<Record<string, string>>;
  /** The kind chosen in the wizard, for its hints; none when editing. */
  preset?: KindPreset;
  /** The scopes Gatehouse offers (discovery's scopes_supported). */
  scopesOffered: readonly string[];
  readOnly?: boolean;
}

/** Where the browser comes back: redirect and post-logout URIs. */
export function RedirectFields({ settings, onChange, errors, preset, readOnly }: Omit<Props, 'scopesOffered'>) {
  return (
    <div className="grid-2">
      <LinesField
        label="Redirect URIs" value={settings.redirect_uris} error={errors.redirect_uris} readOnly={readOnly}
        placeholder={preset?.redirectPlaceholder || 'https://app.example.com/callback'}
        hint={preset?.redirectHint || 'Where Gatehouse may send the browser back after sign-in, matched exactly. One per line.'}
        onChange={(redirect_uris) => onChange({ ...settings, redirect_uris })}
      />
      <LinesField
        label="Post-logout redirect URIs" value={settings.post_logout_redirect_uris} error={errors.post_logout_redirect_uris} readOnly={readOnly}
        placeholder="https://app.example.com/"
        hint="Where Gatehouse may send the browser after signing the person out (optional). One per line."
        onChange={(post_logout_redirect_uris) => onChange({ ...settings, post_logout_redirect_uris })}
      />
    </div>
  );
}

/** The chosen authorization modes in plain words: what the wizard pre-selected, before anyone opens Advanced. */
export function ModesSummary({ settings, preset }: { settings: Settings; preset: KindPreset }) {
  const chosen = grantOptions.filter((option) => settings.grant_types.includes(option.value));
  return (
    <div className="app-modes">
      <h3>Authorization modes</h3>
      <p className="field-hint">Chosen for a {preset.noun}; change them under Advanced if it needs others.</p>
      <ul className="app-mode-list">
        {chosen.map((option) => (
          <li key={option.value}>
            <span className="badge badge-accent">{option.value}</span>
            <span>{option.description}</span>
          </li>
        ))}
        <li>
          <span className="badge">{settings.token_endpoint_auth_method}</span>
          <span>{authMethodSentence[settings.token_endpoint_auth_method]}</span>
        </li>
      </ul>
    </div>
  );
}

/** Grant and response types, client authentication, id_token algorithm, application type, allowed scopes. */
export function AdvancedFields({ settings, onChange, errors, scopesOffered, readOnly }: Props) {
  const scopeChoices = [...new Set([...scopesOffered, ...settings.scopes])].map((name) => ({
    value: name, label: name, ...(scopeSentences[name] ? { description: scopeSentences[name] } : {}),
  }));
  return (
    <>
      <CheckboxGroup
        legend="Grant types" options={grantOptions} value={settings.grant_types} error={errors.grant_types} disabled={readOnly}
        onChange={(grant_types) => onChange({ ...settings, grant_types, response_types: responseTypesFor(grant_types, settings.response_types) })}
      />
      <div className="app-compact">
        <CheckboxGroup
          legend="Response types" options={responseTypeOptions} value={settings.response_types} error={errors.response_types} disabled={readOnly}
          onChange={(response_types) => onChange({ ...settings, response_types })}
        />
      </div>
      <div className="grid-2">
        <SelectField
          label="Token endpoint authentication" value={settings.token_endpoint_auth_method} options={authMethodOptions}
          error={errors.token_endpoint_auth_method ?? errors.jwks ?? errors.jwks_uri} disabled={readOnly}
          hint={authMethodSentence[settings.token_endpoint_auth_method]}
          onChange={(token_endpoint_auth_method) => onChange({ ...settings, token_endpoint_auth_method })}
        />
        <SelectField
          label="id_token signature algorithm" value={settings.id_token_signed_response_alg} options={signingAlgOptions}
          error={errors.id_token_signed_response_alg} disabled={readOnly}
          hint={signingAlgSentence[settings.id_token_signed_response_alg]}
          onChange={(id_token_signed_response_alg) => onChange({ ...settings, id_token_signed_response_alg })}
        />
        <SelectField
          label="Application type" value={settings.application_type} error={errors.application_type} disabled={readOnly}
          options={[{ value: 'web', label: 'web' }, { value: 'native', label: 'native' }]}
          hint={settings.application_type === 'native'
            ? 'A mobile or desktop app: its redirect URIs may use its own scheme or a loopback address.'
            : 'Runs on a web server or in the browser: its redirect URIs are web addresses.'}
          onChange={(application_type) => onChange({ ...settings, application_type })}
        />
      </div>
      <div className="app-compact">
        <CheckboxGroup
          legend="Allowed scopes" options={scopeChoices} value={settings.scopes} error={errors.scope} disabled={readOnly}
          onChange={(scopes) => onChange({ ...settings, scopes: scopeChoices.map((choice) => choice.value).filter((name) => scopes.includes(name)) })}
        />
      </div>
      <p className="field-hint app-scopes-hint">
        {settings.scopes.length ? 'The application may ask for these scopes only; anything else is refused.' : 'None ticked: the application may ask for any scope Gatehouse offers; only one that names gatehouse:manage here can use the management API.'}
      </p>
    </>
  );
}

/** What the application demands of a sign-in beyond the global policy (docs/mfa.md). */
export const mfaOptions: readonly { value: ApplicationMfa; label: string; description: string }[] = [
  { value: 'inherit', label: 'As the global policy', description: 'A second factor is asked as Sign-in security says for every application.' },
  { value: 'required', label: 'Always required', description: 'Everyone signing in to it gives a second factor; those without one set one up first.' },
  { value: 'phishing_resistant', label: 'A passkey required (phishing-resistant)', description: 'Only a passkey passes, since a code typed from an app can be phished; those without one set one up first.' },
];

/** Whether people must have verified their email address before a sign-in to the application completes. */
export function VerifiedEmailField({ settings, onChange, errors, readOnly }: Omit<Props, 'scopesOffered' | 'preset'>) {
  if (!signsPeopleIn(settings) && !settings.require_verified_email && !errors.require_verified_email) return null;
  return (
    <fieldset className={errors.require_verified_email ? 'choices field-invalid' : 'choices'} disabled={readOnly}>
      <legend>Email address</legend>
      <label className="choice">
        <input
          type="checkbox" checked={settings.require_verified_email}
          onChange={(event) => onChange({ ...settings, require_verified_email: event.target.checked })}
        />
        <span>
          <span className="choice-label">Require a verified email address</span>
          <span className="choice-description">People whose email address is not verified cannot finish signing in to it: the sign-in stops at a page that offers the verification link.</span>
        </span>
      </label>
      {errors.require_verified_email && <p className="field-error">{errors.require_verified_email}</p>}
    </fieldset>
  );
}

/** The second factor the application demands of people signing in to it; nothing for one that signs nobody in (and never set it). */
export function MfaField({ settings, onChange, errors, readOnly }: Omit<Props, 'scopesOffered' | 'preset'>) {
  if (!showsMfa(settings) && !errors.mfa) return null;
  return (
    <RadioGroup
      legend="Second factor" name="application-mfa" options={mfaOptions} value={settings.mfa} error={errors.mfa} disabled={readOnly}
      onChange={(mfa) => onChange({ ...settings, mfa })}
    />
  );
}
