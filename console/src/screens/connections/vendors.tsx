import type { ReactNode } from 'react';
import type { TokenEndpointAuthMethod } from './types';

export type VendorId = 'okta' | 'onelogin' | 'google' | 'other';

export interface Vendor {
  id: VendorId;
  label: string;
  /** One sentence on the choice card. */
  blurb: string;
  /** What the form starts with for this provider (docs/connections/<vendor>.md). */
  defaults: { name: string; id: string; discoveryUrl?: string; usernameClaim?: string; authMethod?: TokenEndpointAuthMethod };
  /** Example discovery URL for the field's placeholder. */
  discoveryExample: string;
  /** Where to paste Gatehouse's URLs in that provider's console. */
  register: ReactNode;
  /** Where to find the client ID, the secret and the discovery URL there. */
  copy: ReactNode;
}

/** Condensed from docs/connections/okta.md, onelogin.md, google.md and generic-oidc.md. */
export const vendors: readonly Vendor[] = [
  {
    id: 'okta',
    label: 'Okta',
    blurb: 'An Okta organization, through an OIDC web app integration.',
    defaults: { name: 'Okta', id: 'okta' },
    discoveryExample: 'https://dev-123456.okta.com/oauth2/default/.well-known/openid-configuration',
    register: (
      <ol>
        <li>In the Okta Admin Console, <strong>Applications → Create App Integration</strong>: <em>OIDC - OpenID Connect</em>, <em>Web Application</em>, grant type <em>Authorization Code</em>.</li>
        <li>Paste the callback URL into <strong>Sign-in redirect URIs</strong> and the sign-out URL into <strong>Sign-out redirect URIs</strong>.</li>
        <li>Under <strong>Assignments</strong>, choose who may use it: people not assigned are refused by Okta.</li>
      </ol>
    ),
    copy: (
      <ul>
        <li><strong>Client ID</strong> and <strong>Client secret</strong>: on the application's <em>General</em> tab (client authentication stays <em>Client secret</em>, i.e. Basic).</li>
        <li>Discovery URL: the authorization server's <strong>Issuer URI</strong> (Security → API, e.g. <code>https://dev-123456.okta.com/oauth2/default</code>) followed by <code>/.well-known/openid-configuration</code>. Never the <code>-admin</code> address.</li>
      </ul>
    ),
  },
  {
    id: 'onelogin',
    label: 'OneLogin',
    blurb: 'A OneLogin account, through the OpenId Connect (OIDC) connector.',
    defaults: { name: 'OneLogin', id: 'onelogin', authMethod: 'client_secret_post' },
    discoveryExample: 'https://example.onelogin.com/oidc/2/.well-known/openid-configuration',
    register: (
      <ol>
        <li>In OneLogin, <strong>Applications → Add App</strong>, search for “OpenId Connect” and choose <em>OpenId Connect (OIDC)</em>.</li>
        <li>On the <strong>Configuration</strong> tab, paste the callback URL into <strong>Redirect URI&apos;s</strong> and the sign-out URL into <strong>Post Logout Redirect URI&apos;s</strong>; the Login Url is this Gatehouse&apos;s address.</li>
        <li>On the <strong>SSO</strong> tab: Application Type <em>Web</em>, Token Endpoint <em>POST</em> (“In the form body” below). Then give the app to its users or a role.</li>
      </ol>
    ),
    copy: (
      <ul>
        <li><strong>Client ID</strong> and <strong>Client Secret</strong>: on the application&apos;s <em>SSO</em> tab.</li>
        <li>Discovery URL: the <strong>Issuer URL</strong> on the same tab (<code>https://&#123;subdomain&#125;.onelogin.com/oidc/2</code>) followed by <code>/.well-known/openid-configuration</code>; the “Well-known Configuration” link opens it.</li>
      </ul>
    ),
  },
  {
    id: 'google',
    label: 'Google',
    blurb: 'Google accounts or your Google Workspace, through an OAuth client ID.',
    defaults: { name: 'Google', id: 'google', discoveryUrl: 'https://accounts.google.com/.well-known/openid-configuration', usernameClaim: 'email' },
    discoveryExample: 'https://accounts.google.com/.well-known/openid-configuration',
    register: (
      <ol>
        <li>In the Google Cloud console, configure the <strong>OAuth consent screen</strong> (<em>Internal</em> admits only your Workspace accounts).</li>
        <li><strong>APIs &amp; Services → Credentials → Create credentials → OAuth client ID</strong>, type <em>Web application</em>.</li>
        <li>Paste the callback URL into <strong>Authorized redirect URIs</strong>. Google accepts only <code>https</code> on a public domain name (or <code>localhost</code>); Google has no sign-out URL.</li>
      </ol>
    ),
    copy: (
      <ul>
        <li><strong>Client ID</strong> (<code>….apps.googleusercontent.com</code>) and <strong>Client secret</strong>: shown when the client is created; copy the secret at once.</li>
        <li>Discovery URL: the same for everyone, filled in below. Google sends no <code>preferred_username</code>, so users are named by <code>email</code>.</li>
      </ul>
    ),
  },
  {
    id: 'other',
    label: 'Other provider',
    blurb: 'Keycloak, Microsoft Entra ID, Auth0, another Gatehouse: any OpenID Connect provider.',
    defaults: { name: '', id: '' },
    discoveryExample: 'https://idp.example.com/.well-known/openid-configuration',
    register: (
      <ol>
        <li>At the provider, create an application (“client”) of the <em>web</em> kind with the <em>authorization code</em> grant and a client secret.</li>
        <li>Paste the callback URL as its <strong>redirect URI</strong> and the sign-out URL as its <strong>post-logout redirect URI</strong>. Providers compare them character for character.</li>
      </ol>
    ),
    copy: (
      <ul>
        <li>The application&apos;s <strong>client ID</strong> and <strong>client secret</strong>.</li>
        <li>Discovery URL: the issuer followed by <code>/.well-known/openid-configuration</code> (Keycloak: <code>https://&#123;host&#125;/realms/&#123;realm&#125;</code>; Entra ID: the tenant&apos;s own issuer, never <code>common</code>). Without one, type the endpoints in.</li>
      </ul>
    ),
  },
];

export const vendorOf = (id: VendorId): Vendor => vendors.find((vendor) => vendor.id === id) ?? vendors[vendors.length - 1]!;

/** Tabs with one provider's steps: where to paste Gatehouse's URLs and where its values are. */
export function VendorTabs({ value, onChange, part }: { value: VendorId; onChange: (id: VendorId) => void; part: 'register' | 'copy' }) {
  const vendor = vendorOf(value);
  return (
    <div className="vendor-hints">
      <div className="segmented" role="group" aria-label={part === 'register' ? 'Where to paste, by provider' : 'Where to find the values, by provider'}>
        {vendors.map((v) => (
          <button key={v.id} type="button" className="segmented-button" aria-pressed={v.id === value} onClick={() => onChange(v.id)}>{v.label}</button>
        ))}
      </div>
      <div className="vendor-steps">{part === 'register' ? vendor.register : vendor.copy}</div>
    </div>
  );
}
