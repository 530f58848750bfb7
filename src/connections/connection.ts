/**
 * An upstream identity provider Gatehouse signs users in through (seed 000: Okta, OneLogin,
 * Google; any OpenID Connect issuer). Stored in the `connections` table, declarable in the
 * configuration file under `connections:`; the client secret is sealed at rest.
 */
export interface OidcConnection {
  /** URL-safe; names the connection in its URLs (`/login/oidc/{id}/callback`). */
  id: string;
  type: 'oidc';
  /** The login page's button label. */
  name: string;
  enabled: boolean;
  /** Where the upstream's metadata comes from: its discovery document, or endpoints typed in. */
  metadata: { discoveryUrl: string } | { endpoints: UpstreamEndpoints };
  clientId: string;
  clientSecret: string;
  /** `client_secret_post` is what OneLogin calls "POST". */
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  scopes: string[];
  /** Read from the id_token first, from userinfo when absent (Federated Directory's rule). */
  usernameClaim: string;
  /**
   * `create`: a user not matched to an existing one is created on first sign-in (just in time).
   * `existing_users_only`: only users Gatehouse knows (by `usernameClaim` against the user name,
   * or by email when the upstream says `email_verified: true`) may sign in.
   */
  provisioning: 'create' | 'existing_users_only';
  /** `on_login`: the user's profile (name, email, groups) follows the upstream's claims at each sign-in. */
  updateProfile: 'on_login' | 'never';
  /** The upstream claim whose values become the user's groups, if any. */
  groupsClaim: string | undefined;
  /** Typing an address of one of these domains on the login page goes to this connection (home-realm discovery). */
  emailDomains: string[];
  forwardLoginHint: boolean;
  /**
   * The upstream is trusted to have done MFA when its id_token's `amr` says `mfa`: such a sign-in
   * counts as two factors here, and no second factor is asked. Off by default: otherwise the
   * upstream's word is one factor, `fed`.
   */
  trustUpstreamMfa: boolean;
}

/** The JWS algorithms a partner may sign with; `none` is never one of them. */
export const hmacAlgorithms = ['HS256', 'HS384', 'HS512'] as const;
export const publicKeyAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof hmacAlgorithms)[number] | (typeof publicKeyAlgorithms)[number];

/** How a partner's tokens are verified: a shared HMAC secret, its public key, or its published key set. */
export type PartnerKey = { secret: string } | { publicKey: string } | { jwksUri: string };

/**
 * A partner system that signs users in with a short signed JWT (seed 003, Raytha's "Json web
 * token" scheme), hardened: issuer and audience can be required, a token id is single use by
 * default, and a token's lifetime is bounded. Stored in `connections` like the upstream
 * providers; the HMAC secret is sealed at rest.
 */
export interface JwtConnection {
  id: string;
  type: 'jwt';
  name: string;
  enabled: boolean;
  /** The partner's login page; Gatehouse sends the browser there with `gatehouse_callback_url`. */
  signInUrl: string;
  key: PartnerKey;
  /** The allow-list, never empty: what the declaration names, else what its key implies. */
  algorithms: JwtAlgorithm[];
  /** Required values of `iss` and `aud`, when the connection names them. */
  issuer: string | undefined;
  audience: string | undefined;
  requireJti: boolean;
  /** `exp` at most this far after `iat` (or after now, without `iat`), and `iat` at most this far back. */
  maxTokenAgeSeconds: number;
  clockSkewSeconds: number;
  /** `create`: a person not matched by `sub` or email gets an account; `existing_users_only`: only people with one sign in. */
  provisioning: 'create' | 'existing_users_only';
}

export type Connection = OidcConnection | JwtConnection;

/** The manual alternative to a discovery URL, as Raysync's form asks for it. */
export interface UpstreamEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | undefined;
  jwksUri: string;
  endSessionEndpoint: string | undefined;
}

/** Where a partner sends the browser back with its token (the state Gatehouse adds is a query parameter of its own). */
export function jwtCallbackUrl(publicOrigin: string, connectionId: string): string {
  return `${publicOrigin}/login/jwt/${encodeURIComponent(connectionId)}`;
}

/** The URL at Gatehouse an administrator pastes into the other side: an upstream's redirect URI, a partner's callback. */
export function callbackUrlOf(publicOrigin: string, connection: Pick<Connection, 'id' | 'type'>): string {
  return connection.type === 'jwt' ? jwtCallbackUrl(publicOrigin, connection.id) : connectionUrls(publicOrigin, connection.id).redirectUri;
}

/** The fixed URLs of a connection at Gatehouse, shown to the administrator for pasting into the upstream. */
export function connectionUrls(publicOrigin: string, connectionId: string) {
  const base = `${publicOrigin}/login/oidc/${encodeURIComponent(connectionId)}`;
  return { redirectUri: `${base}/callback`, postLogoutRedirectUri: `${base}/signed-out` };
}

/** The identities a partner's connection vouches for: its own issuer, so that two partners' subjects never meet. */
export const partnerIssuer = (connection: Pick<JwtConnection, 'id'>) => `urn:gatehouse:connection:${connection.id}`;
