/** The management API's application (GET /api/v1/applications/{client_id}): the fields the console uses. */
export interface Application {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: GrantType[];
  response_types: ResponseType[];
  token_endpoint_auth_method: AuthMethod;
  id_token_signed_response_alg: SigningAlg;
  scope?: string;
  id_token_claims_scopes?: string[];
  /** The second factor it demands; absent is `inherit`, the global policy. */
  mfa?: ApplicationMfa;
  logo_uri?: string;
  /** The sign-in pages' look in its sign-ins, over the global branding. */
  branding?: ApplicationBranding;
  /** Whether people signing in to it must have verified their email address first. */
  require_verified_email?: boolean;
  application_type: 'web' | 'native';
  jwks_uri?: string;
  jwks?: { keys: Record<string, unknown>[] };
  has_client_secret: boolean;
  declared: boolean;
  created_at: string;
  updated_at: string;
}

/** The answer to a creation or a replacement: the generated secret, that once. */
export type SavedApplication = Application & { client_secret?: string };

export const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials', 'implicit', 'password'] as const;
export type GrantType = (typeof grantTypes)[number];

export const responseTypes = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;
export type ResponseType = (typeof responseTypes)[number];

export const authMethods = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export type AuthMethod = (typeof authMethods)[number];

export const applicationMfaPolicies = ['inherit', 'required', 'phishing_resistant'] as const;
export type ApplicationMfa = (typeof applicationMfaPolicies)[number];

export const signingAlgs = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;
export type SigningAlg = (typeof signingAlgs)[number];

/** An application's own branding (docs/management-api.md#branding): each field left out shows the global branding's. */
export interface ApplicationBranding {
  name?: string;
  logo_uri?: string;
  primary_color?: string;
  background_color?: string;
}

/** What the form edits: the settings a PUT replaces (the body without client_id and secret). */
export interface Settings {
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: GrantType[];
  response_types: ResponseType[];
  token_endpoint_auth_method: AuthMethod;
  id_token_signed_response_alg: SigningAlg;
  /** The allowed scopes; empty means every scope Gatehouse offers. */
  scopes: string[];
  application_type: 'web' | 'native';
  mfa: ApplicationMfa;
  require_verified_email: boolean;
  /** Each field empty when the application leaves it to the global branding. */
  branding: Required<ApplicationBranding>;
}

/** The parts of Gatehouse's discovery document the screens show. */
export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  scopes_supported?: string[];
}
