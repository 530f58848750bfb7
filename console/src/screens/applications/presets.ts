import type { Application, AuthMethod, GrantType, ResponseType, Settings, SigningAlg } from './types';

/** The four kinds of application the wizard starts from, each with the safe settings it needs. */
export type Kind = 'web' | 'spa' | 'native' | 'machine';

export interface KindPreset {
  kind: Kind;
  title: string;
  /** Short, for the list's Type column. */
  short: string;
  /** In a sentence: "Chosen for a …". */
  noun: string;
  sentence: string;
  /** The mode it uses, as docs/authorization-modes.md names it. */
  mode: string;
  settings: Pick<Settings, 'grant_types' | 'response_types' | 'token_endpoint_auth_method' | 'application_type'>;
  redirectHint: string;
  redirectPlaceholder: string;
}

export const kinds: readonly KindPreset[] = [
  {
    kind: 'web', title: 'Web application with a back end', short: 'Web app', noun: 'web application with a back end', mode: 'Authorization code',
    sentence: 'A server keeps the client secret and trades the sign-in code for tokens: most web applications.',
    settings: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', application_type: 'web' },
    redirectHint: 'Your back end\'s callback route, where Gatehouse sends the browser back with the code. One per line.',
    redirectPlaceholder: 'https://app.example.com/callback',
  },
  {
    kind: 'spa', title: 'Single-page application', short: 'Single-page app', noun: 'single-page application', mode: 'Authorization code + PKCE',
    sentence: 'Runs in the browser only and cannot keep a secret, so it proves itself with PKCE instead.',
    settings: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none', application_type: 'web' },
    redirectHint: 'The page of your application that receives the sign-in response. One per line.',
    redirectPlaceholder: 'https://app.example.com/callback',
  },
  {
    kind: 'native', title: 'Native app', short: 'Native app', noun: 'native app', mode: 'Authorization code + PKCE',
    sentence: 'A mobile or desktop app: anyone can read its code, so it has no secret and uses PKCE.',
    settings: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none', application_type: 'native' },
    redirectHint: 'Your app\'s own scheme (com.example.app:/callback) or a loopback address (http://127.0.0.1/callback). One per line.',
    redirectPlaceholder: 'com.example.app:/callback',
  },
  {
    kind: 'machine', title: 'Machine to machine', short: 'Machine to machine', noun: 'machine-to-machine application', mode: 'Client credentials',
    sentence: 'A service, script or job that calls APIs as itself, with its own credentials and no person signing in.',
    settings: { grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic', application_type: 'web' },
    redirectHint: '',
    redirectPlaceholder: '',
  },
];

export function presetOf(kind: Kind): KindPreset {
  return kinds.find((preset) => preset.kind === kind)!;
}

/** Which kind an existing application is, from its settings. */
export function kindOf(application: Pick<Application, 'grant_types' | 'token_endpoint_auth_method' | 'application_type'>): Kind {
  const signsPeopleIn = application.grant_types.some((grant) => grant === 'authorization_code' || grant === 'implicit' || grant === 'password');
  if (!signsPeopleIn && application.grant_types.includes('client_credentials')) return 'machine';
  if (application.token_endpoint_auth_method === 'none') return application.application_type === 'native' ? 'native' : 'spa';
  return application.application_type === 'native' ? 'native' : 'web';
}

export const grantOptions: readonly { value: GrantType; label: string; description: string }[] = [
  { value: 'authorization_code', label: 'Authorization code', description: 'The browser brings back a one-time code that the application trades for tokens: the way to sign people in.' },
  { value: 'refresh_token', label: 'Refresh token', description: 'The application renews tokens without sending the person back to the login page (it asks for offline_access).' },
  { value: 'client_credentials', label: 'Client credentials', description: 'The application gets tokens for itself with its own credentials, no person involved.' },
  { value: 'implicit', label: 'Implicit', description: 'Tokens come back straight in the URL; only for old single-page applications that cannot use PKCE.' },
  { value: 'password', label: 'Password (not recommended)', description: 'The application collects the person\'s password itself; only for very old applications that cannot be changed.' },
];

export const responseTypeOptions: readonly { value: ResponseType; label: string; description: string }[] = [
  { value: 'code', label: 'code', description: 'A code, traded for tokens at the token endpoint (authorization code).' },
  { value: 'id_token', label: 'id_token', description: 'An id_token only, in the URL fragment (implicit).' },
  { value: 'id_token token', label: 'id_token token', description: 'An id_token and an access token, in the URL fragment (implicit).' },
  { value: 'code id_token', label: 'code id_token', description: 'A code and an id_token at once (hybrid).' },
  { value: 'code token', label: 'code token', description: 'A code and an access token at once (hybrid).' },
  { value: 'code id_token token', label: 'code id_token token', description: 'A code, an id_token and an access token at once (hybrid).' },
];

export const authMethodOptions: readonly { value: AuthMethod; label: string }[] = [
  { value: 'client_secret_basic', label: 'client_secret_basic' },
  { value: 'client_secret_post', label: 'client_secret_post' },
  { value: 'client_secret_jwt', label: 'client_secret_jwt' },
  { value: 'private_key_jwt', label: 'private_key_jwt' },
  { value: 'none', label: 'none (public application)' },
];

export const authMethodSentence: Record<AuthMethod, string> = {
  client_secret_basic: 'The application sends its client secret in the Authorization header of token requests.',
  client_secret_post: 'The application sends its client secret in the body of token requests.',
  client_secret_jwt: 'The application signs a short JWT with its client secret for each token request.',
  private_key_jwt: 'The application signs a short JWT with its own private key; Gatehouse checks it with the public key declared for it.',
  none: 'A public application without a secret: it proves each code is its own with PKCE.',
};

export const signingAlgOptions: readonly { value: SigningAlg; label: string }[] = [
  { value: 'RS256', label: 'RS256' },
  { value: 'ES256', label: 'ES256' },
  { value: 'EdDSA', label: 'EdDSA' },
  { value: 'HS256', label: 'HS256 (client secret)' },
];

export const signingAlgSentence: Record<SigningAlg, string> = {
  RS256: 'RSA: every OpenID Connect library verifies it with Gatehouse\'s published keys.',
  ES256: 'Elliptic curve P-256, verified with Gatehouse\'s published keys.',
  EdDSA: 'Ed25519, verified with Gatehouse\'s published keys; not every library supports it.',
  HS256: 'Signed with the application\'s own client secret (it gets one if it has none).',
};

/** Which response types a grant brings along when it is ticked, and which it takes away when unticked. */
function grantsOf(responseType: ResponseType): GrantType[] {
  const parts = responseType.split(' ');
  return [
    ...(parts.includes('code') ? ['authorization_code' as const] : []),
    ...(parts.includes('id_token') || parts.includes('token') ? ['implicit' as const] : []),
  ];
}

/** The response types that still agree with the grant types, adding the usual ones for a grant just ticked. */
export function responseTypesFor(grants: readonly GrantType[], current: readonly ResponseType[]): ResponseType[] {
  const kept = current.filter((type) => grantsOf(type).every((grant) => grants.includes(grant)));
  if (grants.includes('authorization_code') && !kept.some((type) => type.split(' ').includes('code'))) kept.unshift('code');
  if (grants.includes('implicit') && !kept.some((type) => grantsOf(type).includes('implicit'))) kept.push('id_token token', 'id_token');
  return responseTypes(kept);
}

function responseTypes(list: ResponseType[]): ResponseType[] {
  return [...new Set(list)];
}

/** A client ID from the application's name: lower case letters, digits and dashes. */
export function suggestClientId(name: string): string {
  return name
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

