/** The management API's connection views (src/api/routes/connections.ts), only the fields the console uses. */

interface Facts {
  id: string;
  name: string;
  enabled: boolean;
  /** A secret is stored (the upstream's client secret, a partner's HMAC secret); never shown. */
  has_secret: boolean;
  declared: boolean;
  /** The URL at Gatehouse to register at the upstream, or to give the partner; null without a public URL. */
  callback_url: string | null;
  created_at: string;
  updated_at: string;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';
export type Provisioning = 'create' | 'existing_users_only';

export interface OidcConnection extends Facts {
  type: 'oidc';
  discovery_url?: string;
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
  jwks_uri?: string;
  end_session_endpoint?: string;
  client_id: string;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  scopes: string[];
  username_claim: string;
  provisioning: Provisioning;
  update_profile: 'on_login' | 'never';
  groups_claim?: string;
  email_domains: string[];
  forward_login_hint: boolean;
  /** The upstream's `amr` saying `mfa` counts as two factors here (docs/mfa.md). */
  trust_upstream_mfa: boolean;
}

export const jwtAlgorithms = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof jwtAlgorithms)[number];

export interface JwtConnection extends Facts {
  type: 'jwt';
  sign_in_url: string;
  public_key?: string;
  jwks_uri?: string;
  algorithms?: JwtAlgorithm[];
  issuer?: string;
  audience?: string;
  require_jti: boolean;
  max_token_age_seconds: number;
  clock_skew_seconds: number;
  provisioning: Provisioning;
}

export type Connection = OidcConnection | JwtConnection;

/** POST /connections/{id}/test. */
export interface TestReport {
  connection_id: string;
  ok: boolean;
  checks: { check: string; ok: boolean; detail: string }[];
  /** When every check passed (upstreams only): a real sign-in through the upstream that ends on a page listing the claims. */
  sign_in_url: string | null;
}
