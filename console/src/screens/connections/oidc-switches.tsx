import { Toggle } from './form-parts';

/** The OIDC form's yes/no settings. */
export type OidcSwitch = 'forward_login_hint' | 'trust_upstream_mfa' | 'enabled';

/** The yes/no settings that close the OIDC form's "Who may sign in" step. */
export function OidcSwitches({ values, errors, onChange }: {
  values: Readonly<Record<OidcSwitch, boolean>>; errors: Readonly<Record<string, string>>; onChange: (field: OidcSwitch, value: boolean) => void;
}) {
  return (
    <>
      <Toggle label="Pass on the typed name (login_hint)" checked={values.forward_login_hint} error={errors.forward_login_hint}
        description="The address or name already typed on the login page goes to the provider, so it need not be typed twice."
        onChange={(value) => onChange('forward_login_hint', value)} />
      <Toggle label="Trust this provider's MFA" checked={values.trust_upstream_mfa} error={errors.trust_upstream_mfa}
        description={<>A sign-in whose id_token says <code>mfa</code> in <code>amr</code> counts as two factors here; only for a provider whose MFA you control.</>}
        onChange={(value) => onChange('trust_upstream_mfa', value)} />
      <Toggle label="Enabled" checked={values.enabled} error={errors.enabled}
        description="Shows its button on the login page. A disabled connection can still be tested."
        onChange={(value) => onChange('enabled', value)} />
    </>
  );
}
