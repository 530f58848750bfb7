/**
 * Gatehouse's own URLs for a connection, built as the server builds them (src/connections/connection.ts):
 * `$GATEHOUSE_PUBLIC_URL/login/oidc/{id}/callback`, `…/signed-out`, `/login/jwt/{id}`, `/login/sso/{id}`.
 * The console is served by Gatehouse and signs in with a redirect URI on this origin, which the
 * server registers from GATEHOUSE_PUBLIC_URL: the two are the same origin, so this one is used.
 */
const origin = () => location.origin;

/** A placeholder while the id is still empty, so the URL's shape shows. */
const segment = (id: string) => encodeURIComponent(id.trim() || '{id}');

export function oidcUrls(id: string) {
  const base = `${origin()}/login/oidc/${segment(id)}`;
  return { redirectUri: `${base}/callback`, postLogoutRedirectUri: `${base}/signed-out` };
}

/** Where the partner sends the browser back with its token (Gatehouse adds its `state` to the query). */
export function jwtCallbackUrl(id: string): string {
  return `${origin()}/login/jwt/${segment(id)}`;
}

/** A plain link that starts a sign-in through the partner (returnUrl: a path of Gatehouse's own). */
export function partnerStartUrl(id: string): string {
  return `${origin()}/login/sso/${segment(id)}`;
}

export const publicOrigin = origin;

export const discoverySuffix = '/.well-known/openid-configuration';

/** The connection id a name suggests, for the id field until the administrator types one. */
export function idFromName(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 64);
}
