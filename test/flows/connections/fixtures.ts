import { redirectUri } from '../../helpers/applications.js';
import type { UpstreamIdp, UpstreamUser } from '../../helpers/upstream-idp.js';

/** The people at the upstream (Okta, say) that the connection tests sign in as. */
export const ann: UpstreamUser = {
  sub: '00u1ann',
  preferred_username: 'ann',
  email: 'ann@corp.example.test',
  email_verified: true,
  name: 'Ann Example',
  groups: ['engineering', 'staff'],
  /** A claim beyond the standard ones, released with openid as Okta releases a custom attribute. */
  department: 'Research',
};
/** Her address is not verified upstream, so it never matches an account here by itself. */
export const ben: UpstreamUser = { sub: '00u2ben', preferred_username: 'ben', email: 'ben@corp.example.test', email_verified: false, name: 'Ben Example' };
/** Known to Gatehouse already (declared below), by user name. */
export const kim: UpstreamUser = { sub: '00u3kim', preferred_username: 'kim', email: 'kim@corp.example.test', email_verified: true, name: 'Kim Upstream' };
/** Known to Gatehouse by user name, but disabled there. */
export const dan: UpstreamUser = { sub: '00u5dan', preferred_username: 'dan', email: 'dan@corp.example.test', email_verified: true, name: 'Dan' };
/** Known to Gatehouse by a verified address only: her user name here is another. */
export const lou: UpstreamUser = { sub: '00u4lou', preferred_username: 'lou.upstream', email: 'lou@corp.example.test', email_verified: true, name: 'Lou' };

export const upstreamSecret = 'upstream-client-secret-0123456789abcdef';
export const postLogoutRedirectUri = 'https://app.example.test/signed-out';

/** The downstream application: a public client with PKCE, as most single-page and native apps are. */
export const application = {
  client_id: 'notes',
  client_name: 'Team Notes',
  token_endpoint_auth_method: 'none',
  redirect_uris: [redirectUri],
  post_logout_redirect_uris: [postLogoutRedirectUri],
  grant_types: ['authorization_code'],
};

/** Gatehouse's own users: kim by user name, lou by email; bernard has ben's address, which ben's upstream does not vouch for; dan is disabled. */
export const localUsers = [
  { username: 'kim', email: 'kim@corp.example.test', email_verified: true, name: 'Kim Local', password: 'kim keeps a quiet garden' },
  { username: 'louise', email: 'lou@corp.example.test', email_verified: true, name: 'Louise', password: 'louise reads long novels' },
  { username: 'bernard', email: 'ben@corp.example.test', name: 'Bernard', password: 'bernard bakes rye bread' },
  { username: 'dan', name: 'Dan Local', password: 'dan was here long ago', disabled: true },
];

/** A connection declaration as an administrator writes it, with the test upstream's discovery URL. */
export function oidcConnection(id: string, discoveryUrl: string, fields: Record<string, unknown> = {}) {
  return {
    id,
    type: 'oidc',
    name: `Corp ${id}`,
    discovery_url: discoveryUrl,
    client_id: `gatehouse-${id}`,
    client_secret: upstreamSecret,
    groups_claim: 'groups',
    ...fields,
  };
}

/**
 * A connection with its endpoints typed in instead of a discovery URL (Raysync's form), as an
 * administrator copies them from the test upstream's discovery document; `fields` override, e.g.
 * `{ end_session_endpoint: undefined }` for an upstream without logout.
 */
export function manualConnection(upstream: UpstreamIdp, id = 'manual', fields: Record<string, unknown> = {}) {
  const { endpoints } = upstream;
  return oidcConnection(id, upstream.discoveryUrl, {
    discovery_url: undefined,
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorizationEndpoint,
    token_endpoint: endpoints.tokenEndpoint,
    userinfo_endpoint: endpoints.userinfoEndpoint,
    jwks_uri: endpoints.jwksUri,
    end_session_endpoint: endpoints.endSessionEndpoint,
    ...fields,
  });
}
