import * as oidc from 'openid-client';
import { Browser } from './browser.js';
import type { TestServer } from './start-server.js';

/** The test server speaks plain http on 127.0.0.1; openid-client refuses that unless told. */
export const insecure = { execute: [oidc.allowInsecureRequests] };

/** A browser that treats the server's public origin and its listening address as Gatehouse. */
export function newBrowser(server: TestServer): Browser {
  return new Browser([new URL(server.issuer).origin, server.url]);
}

/** The OAuth error code of a rejected openid-client call, or a failure when the call succeeded. */
export async function oauthError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return error.error;
    if (error instanceof oidc.AuthorizationResponseError) return error.error;
    if (error instanceof oidc.WWWAuthenticateChallengeError) return ((await error.response.json()) as { error: string }).error;
    throw error;
  }
  throw new Error('expected the call to be refused, it succeeded');
}
