import { errors, type EngineMiddleware, type OidcProvider } from './engine.js';
import { refusedUnregisteredGrantType, renameOAuthError, throwOnUnallowedResponseType } from './engine-internals.js';

/**
 * oidc-provider answers `invalid_request` when an application uses a response type or grant
 * type it has not registered; RFC 6749 §4.1.2.1, §4.2.2.1 and §5.2 name that
 * `unauthorized_client`, which client libraries and the seed documents expect.
 * test/flows/modes/grant-types.test.ts and response-types.test.ts fail if an engine upgrade
 * changes either answer; test/engine/engine-internals-*.test.ts names the engine step that did.
 */

/** The authorization endpoint's check throws unauthorized_client itself, sent back to the application. */
export function refuseUnregisteredResponseTypes(provider: OidcProvider): void {
  throwOnUnallowedResponseType(provider, () => new errors.UnauthorizedClient('requested response_type is not allowed for this client'));
}

/**
 * The token endpoint's answer is relabelled, keeping the engine's description. The engine
 * refuses the grant type only after the application proved who it is: with the methods
 * Gatehouse enables (no client attestation) every authentication failure is `invalid_client`
 * (401), so naming the application's grant types reveals nothing to others
 * (auth-methods.test.ts checks).
 */
export const relabelUnregisteredGrantType: EngineMiddleware = async (ctx, next) => {
  await next();
  if (refusedUnregisteredGrantType(ctx)) renameOAuthError(ctx, 'unauthorized_client');
};
