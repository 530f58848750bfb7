import type { ClientMetadata } from '../applications/application-service.js';
import { defaults } from '../config/defaults.js';
import type { StandardScope } from '../scopes/standard-scopes.js';

/**
 * The admin console's client (console/, served at /console): a single-page application, so a
 * public client with PKCE (RFC 9700 §2.1.1) whose refresh tokens rotate at every use, as the
 * engine does for public clients. Gatehouse knows it by its id like its session client
 * (session-client.ts), from the public URL, instead of storing it: nothing to register, and the
 * colon keeps it apart from every application's client_id. It asks for the management scope;
 * whether the person is an administrator is the management API's check at every request.
 */
export const consoleClientId = 'gatehouse:console';

/** The console's callback, matched exactly like every redirect_uri. */
export const consoleCallbackPath = `${defaults.console.path}/callback`;

/** What the console's sign-in is granted without a consent page: it is Gatehouse's own, and the API checks the group. */
export const consoleScopes = ['openid', 'profile', 'gatehouse:manage'] as const satisfies readonly StandardScope[];

/** The claims its id_tokens carry, asked for with the `claims` parameter: they name the person in the console's top bar. */
export const consoleIdTokenClaims = ['name', 'preferred_username'] as const;

export function consoleClientMetadata(publicOrigin: string): ClientMetadata {
  return {
    client_id: consoleClientId,
    client_name: 'Gatehouse console',
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${publicOrigin}${consoleCallbackPath}`],
    post_logout_redirect_uris: [`${publicOrigin}${defaults.console.path}/`],
    scope: consoleScopes.join(' '),
  } as ClientMetadata;
}
