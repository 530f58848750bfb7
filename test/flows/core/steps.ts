import * as oidc from 'openid-client';
import { insecure, newBrowser, oauthError } from '../../helpers/oauth.js';
import { authorize, type Browser, type Credentials } from '../../helpers/sign-in.js';
import type { TestDialect } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { alice, coreDeclarations, m2mSecret, redirectUri, webSecret } from './fixtures.js';

/** The relying parties of the core fixtures, each an unmodified openid-client configuration. */
export interface RelyingParties {
  spa: oidc.Configuration;
  web: oidc.Configuration;
  m2m: oidc.Configuration;
}

export { insecure, newBrowser, oauthError };

export async function discoverRelyingParties(server: TestServer): Promise<RelyingParties> {
  const issuer = new URL(server.issuer);
  const [spa, web, m2m] = await Promise.all([
    oidc.discovery(issuer, 'spa', undefined, oidc.None(), insecure),
    oidc.discovery(issuer, 'web', webSecret, undefined, insecure),
    oidc.discovery(issuer, 'm2m', m2mSecret, undefined, insecure),
  ]);
  return { spa, web, m2m };
}

/** A server with the core fixtures, and its relying parties: one per test file. */
export async function startCoreServer(dialect: TestDialect): Promise<{ server: TestServer; rp: RelyingParties }> {
  const server = await startServer({ declarations: coreDeclarations, dialect });
  return { server, rp: await discoverRelyingParties(server) };
}

/** What an application keeps between sending the browser away and receiving the callback. */
export interface PendingAuthorization {
  url: URL;
  verifier: string;
  state: string;
}

export async function startAuthorization(config: oidc.Configuration, scope: string, extra: Record<string, string> = {}): Promise<PendingAuthorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, verifier, state };
}

/** Signs in through the pages and returns the callback URL, not yet redeemed. */
export async function obtainCallback(
  browser: Browser,
  config: oidc.Configuration,
  scope: string,
  extra: Record<string, string> = {},
  credentials: Credentials = alice,
): Promise<{ pending: PendingAuthorization; callback: URL }> {
  const pending = await startAuthorization(config, scope, extra);
  const callback = new URL(await authorize(browser, pending.url, credentials));
  return { pending, callback };
}

export function redeem(config: oidc.Configuration, pending: PendingAuthorization, callback: URL) {
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state });
}

/** The whole code + PKCE flow with a fresh browser (unless one is given): the token response. */
export async function signIn(
  server: TestServer,
  config: oidc.Configuration,
  scope: string,
  extra: Record<string, string> = {},
  browser: Browser = newBrowser(server),
  credentials: Credentials = alice,
) {
  const { pending, callback } = await obtainCallback(browser, config, scope, extra, credentials);
  return redeem(config, pending, callback);
}

/** Scope and prompt under which the engine issues a refresh token to an application allowed one. */
export const offline = { scope: 'openid profile offline_access', extra: { prompt: 'consent' } };

/** A token request as any HTTP client sends it, for checks openid-client would refuse to make. */
export function postToken(server: TestServer, fields: Record<string, string>, headers: Record<string, string> = {}, base = server.url) {
  return fetch(`${base}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}
