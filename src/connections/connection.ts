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
}

/** The manual alternative to a discovery URL, as Raysync's form asks for it. */
export interface UpstreamEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | undefined;
  jwksUri: string;
  endSessionEndpoint: string | undefined;
}

/** The fixed URLs of a connection at Gatehouse, shown to the administrator for pasting into the upstream. */
export function connectionUrls(publicOrigin: string, connectionId: string) {
  const base = `${publicOrigin}/login/oidc/${encodeURIComponent(connectionId)}`;
  return { redirectUri: `${base}/callback`, postLogoutRedirectUri: `${base}/signed-out` };
}
