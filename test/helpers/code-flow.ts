import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { redirectUri } from './applications.js';
import { expectPage, type Browser, type Page } from './browser.js';
import { newBrowser } from './oauth.js';
import { alice, type Credentials } from './people.js';
import { callbackFor } from './sign-in.js';
import { endpointBase } from './token-endpoint.js';
import type { TestServer } from './start-server.js';

/** An authorization request URL as an application builds it by hand, to the shared redirect URI unless told. */
export function authorizationUrl(server: TestServer, params: Record<string, string>): URL {
  const url = new URL(`${endpointBase(server)}/auth`);
  for (const [name, value] of Object.entries({ redirect_uri: redirectUri, ...params })) url.searchParams.set(name, value);
  return url;
}

/** What an application keeps between sending the browser away and receiving the callback. */
export interface PendingAuthorization {
  url: URL;
  verifier: string;
  state: string;
}

/** A code + PKCE authorization request as openid-client builds it; `params` adds to it or overrides it. */
export async function startAuthorization(config: oidc.Configuration, scope: string, params: Record<string, string> = {}): Promise<PendingAuthorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  });
  return { url, verifier, state };
}

/** A fresh browser on the login page of a new authorization request: the interaction is stored. */
export async function onLoginPage(server: TestServer, config: oidc.Configuration, scope: string): Promise<{ browser: Browser; page: Page }> {
  const browser = newBrowser(server);
  const { url } = await startAuthorization(config, scope);
  const page = expectPage(await browser.get(url.toString()));
  assert.ok(page.document.querySelector('form[action$="/login"]'), 'the login form is shown');
  return { browser, page };
}

export interface SignInOptions {
  /** More authorization request parameters: prompt, claims, nonce… */
  params?: Record<string, string>;
  /** Who signs in; alice unless told. */
  credentials?: Credentials;
}

/** Signs in through the pages and returns the callback URL, not yet redeemed. */
export async function obtainCallback(
  browser: Browser,
  config: oidc.Configuration,
  scope: string,
  { params = {}, credentials = alice }: SignInOptions = {},
): Promise<{ pending: PendingAuthorization; callback: URL }> {
  const pending = await startAuthorization(config, scope, params);
  return { pending, callback: await callbackFor(browser, pending.url, credentials) };
}

export function redeem(config: oidc.Configuration, pending: PendingAuthorization, callback: URL) {
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state });
}

/** The whole code + PKCE flow, in a fresh browser unless one is given: the token response. */
export async function signIn(server: TestServer, config: oidc.Configuration, scope: string, options: SignInOptions & { browser?: Browser } = {}) {
  const { pending, callback } = await obtainCallback(options.browser ?? newBrowser(server), config, scope, options);
  return redeem(config, pending, callback);
}

/** Scope and prompt under which the engine issues a refresh token to an application allowed one. */
export const offline = { scope: 'openid profile offline_access', params: { prompt: 'consent' } };
