import type { OidcProvider } from './engine.js';

/** An access token Gatehouse issued, as a resource it protects (the management API) sees it. */
export interface PresentedToken {
  clientId: string;
  /** The signed-in user it was issued for; undefined for an application's own token (client credentials). */
  accountId: string | undefined;
  scopes: ReadonlySet<string>;
  /**
   * The scopes the application names in its `scope` metadata; undefined when it names none (it may
   * then ask for any scope the server offers, which is no grant of a privileged one).
   */
  clientScopes: ReadonlySet<string> | undefined;
  /**
   * Bound to a key the client proved it holds (DPoP, RFC 9449, or a certificate, RFC 8705): only a
   * request that proves that key again may use it, never one that merely presents it as a bearer.
   */
  senderConstrained: boolean;
}

/**
 * The access token a bearer presents, looked up through the engine's own models: an unknown,
 * expired or consumed token, one whose grant was revoked, or one of a deleted application is
 * no token. Access tokens are opaque and stored, so a revocation takes effect at once.
 */
export async function findAccessToken(provider: OidcProvider, value: string): Promise<PresentedToken | undefined> {
  const userToken = await provider.AccessToken.find(value);
  const token = userToken ?? (await provider.ClientCredentials.find(value));
  if (!token?.clientId) return undefined;
  if (userToken && (!userToken.grantId || !(await provider.Grant.find(userToken.grantId)))) return undefined;
  const client = await provider.Client.find(token.clientId);
  if (!client) return undefined;
  const clientScope = client.metadata().scope;
  return {
    clientId: token.clientId,
    accountId: userToken?.accountId,
    scopes: new Set(token.scope?.split(' ').filter(Boolean) ?? []),
    clientScopes: typeof clientScope === 'string' ? new Set(clientScope.split(' ')) : undefined,
    senderConstrained: token.jkt !== undefined || token['x5t#S256'] !== undefined,
  };
}
