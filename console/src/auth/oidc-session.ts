import * as oauth from 'oauth4webapi';

/**
 * The console's sign-in: authorization code with PKCE at Gatehouse's own engine, as its public
 * client `gatehouse:console` (src/oidc/console-client.ts). Tokens live in this module's memory
 * only, never in storage a script could read later; what must survive the trip to the login
 * page (verifier, state, nonce, where to return) waits in sessionStorage and is removed on return.
 */

const clientId = 'gatehouse:console';
const client: oauth.Client = { client_id: clientId };
const basePath = '/console';
const callbackPath = `${basePath}/callback`;
const pendingKey = 'gatehouse-console:pending-sign-in';
/** Renew this long before the access token expires, so a request never leaves with a token about to lapse. */
const renewEarlySeconds = 60;

// The console is served by Gatehouse, so the engine is on the same origin; plain http only where the console itself is.
const requestOptions = location.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
const redirectUri = `${location.origin}${callbackPath}`;

interface Tokens {
  accessToken: string;
  refreshToken: string | undefined;
  idToken: string | undefined;
  expiresAt: number;
}

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

export interface Person {
  sub: string;
  name: string;
}

let server: oauth.AuthorizationServer | undefined;
let tokens: Tokens | undefined;
let person: Person | undefined;
let renewing: Promise<string> | undefined;

async function authorizationServer(): Promise<oauth.AuthorizationServer> {
  if (server) return server;
  const issuer = new URL(`${location.origin}/oidc`);
  server = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, requestOptions));
  return server;
}

/** Leaves for Gatehouse's login page; the browser comes back to the callback, then to `returnTo`. */
export async function beginSignIn(returnTo: string): Promise<never> {
  const as = await authorizationServer();
  const pending: Pending = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo: returnTo.startsWith(`${basePath}/`) && !returnTo.startsWith(callbackPath) ? returnTo : `${basePath}/`,
  };
  sessionStorage.setItem(pendingKey, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile gatehouse:manage',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    // Gatehouse's id_tokens carry only the claims a request names: these two name the person in the top bar.
    claims: JSON.stringify({ id_token: { name: null, preferred_username: null } }),
  }).toString();
  location.assign(url.href);
  return new Promise<never>(() => {});
}

/** The callback: trades the code for tokens and answers where the console goes next. */
export async function finishSignIn(): Promise<string> {
  const saved = sessionStorage.getItem(pendingKey);
  sessionStorage.removeItem(pendingKey);
  if (!saved) throw new Error('This sign-in was not started by this browser tab, or it was finished already. Sign in again.');
  const pending = JSON.parse(saved) as Pending;
  const as = await authorizationServer();
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, pending.verifier, requestOptions);
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  keep(result);
  return pending.returnTo;
}

function keep(result: oauth.TokenEndpointResponse): void {
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (claims) person = { sub: claims.sub, name: String(claims.name ?? claims.preferred_username ?? claims.sub) };
  tokens = {
    accessToken: result.access_token,
    refreshToken: result.refresh_token ?? tokens?.refreshToken,
    idToken: result.id_token ?? tokens?.idToken,
    expiresAt: Date.now() + (result.expires_in ?? 0) * 1000,
  };
}

export function signedInPerson(): Person | undefined {
  return person;
}

/**
 * A current access token: renewed with the refresh token when it is close to expiring (or
 * `force`d after a 401). One renewal at a time: each refresh token is single-use, and a second
 * use of a spent one makes the engine end the whole grant.
 */
export async function accessToken(force = false): Promise<string> {
  if (!tokens) throw new Error('Not signed in.');
  if (!force && tokens.expiresAt - Date.now() > renewEarlySeconds * 1000) return tokens.accessToken;
  renewing ??= renew().finally(() => {
    renewing = undefined;
  });
  return renewing;
}

async function renew(): Promise<string> {
  const refreshToken = tokens?.refreshToken;
  if (!refreshToken) return beginSignIn(currentPath());
  const as = await authorizationServer();
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, requestOptions);
    keep(await oauth.processRefreshTokenResponse(as, client, response));
    return tokens!.accessToken;
  } catch (error) {
    // Only a refused refresh token means the Gatehouse session ended (signed out elsewhere, expired); a network
    // failure or an outage keeps the tokens, so that the screen says so and a retry works, with the form still filled in.
    if (!(error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant')) throw error;
    tokens = undefined;
    return beginSignIn(currentPath());
  }
}

/** Ends the Gatehouse session too (RP-initiated logout), and comes back to the console's signed-out page. */
export async function signOut(): Promise<never> {
  const as = await authorizationServer();
  const url = new URL(as.end_session_endpoint!);
  url.search = new URLSearchParams({
    client_id: clientId,
    post_logout_redirect_uri: `${location.origin}${basePath}/`,
    state: 'signed-out',
    ...(tokens?.idToken ? { id_token_hint: tokens.idToken } : {}),
  }).toString();
  tokens = undefined;
  location.assign(url.href);
  return new Promise<never>(() => {});
}

export function currentPath(): string {
  return `${location.pathname}${location.search}`;
}

export { callbackPath };
