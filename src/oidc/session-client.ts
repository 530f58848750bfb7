import type { ClientMetadata } from '../applications/application-service.js';
import { consoleClientId, consoleIdTokenClaims, consoleScopes } from './console-client.js';
import type { Configuration } from './engine.js';

/**
 * Gatehouse's own client at its engine: a browser signs in to Gatehouse itself, with no
 * application behind it (`/login/sso/{id}`, seed 003's "click here to login" link), and comes
 * back with an engine session, so that every application it opens next finds the person signed
 * in. Its id has a colon, which no application's client_id may have (application-schema.ts), so
 * it cannot meet a declared one. A public client: no secret to keep, PKCE as RFC 9700 asks; its
 * code is never redeemed, since the session is what it is for.
 */
export const sessionClientId = 'gatehouse:session';

/** Where the engine sends the browser back: the signed-in return of a plain session (plain-session.ts). */
export const sessionReturnPath = '/login/signed-in';

export function sessionClientMetadata(publicOrigin: string): ClientMetadata {
  return {
    client_id: sessionClientId,
    client_name: 'Gatehouse',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`${publicOrigin}${sessionReturnPath}`],
  } as ClientMetadata;
}

/**
 * The engine's grant lookup (its `loadExistingGrant` setting) with one addition: Gatehouse's own
 * clients are the person's own sign-in, so their grants are made without a consent page: the
 * session client's with `openid` only, the console's with its scopes and claims (console-client.ts). Every
 * other client's grant is found as the engine's default does: the one the consent gave, else
 * the one the session holds for the client. A grant of their own that the session still names
 * but is gone (expired, or ended by a reused refresh token) is made again: the person is
 * signed in, and a consent page for Gatehouse itself would only puzzle them.
 */
export const loadExistingGrant: NonNullable<Configuration['loadExistingGrant']> = async (ctx) => {
  const clientId = ctx.oidc.client!.clientId;
  const own = clientId === sessionClientId || clientId === consoleClientId;
  const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(clientId);
  if (grantId) {
    const found = await ctx.oidc.provider.Grant.find(grantId);
    if (found || !own) return found;
  }
  const accountId = ctx.oidc.session!.accountId;
  if (!accountId || !own) return undefined;
  const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
  if (clientId === consoleClientId) {
    grant.addOIDCScope(consoleScopes.join(' '));
    grant.addOIDCClaims([...consoleIdTokenClaims]);
  } else {
    grant.addOIDCScope('openid');
  }
  await grant.save();
  return grant;
};
