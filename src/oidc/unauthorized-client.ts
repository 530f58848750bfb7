import { errors, type KoaContextWithOIDC } from './engine.js';
import type { OidcProvider } from './provider.js';

/**
 * oidc-provider answers `invalid_request` when an application uses a response type or grant
 * type it has not registered; RFC 6749 §4.1.2.1, §4.2.2.1 and §5.2 name that
 * `unauthorized_client`, which client libraries and the seed documents expect. The
 * authorization endpoint's check throws it directly (the engine calls `responseTypeAllowed`
 * there only); the token endpoint's JSON answer is relabelled when the engine's own
 * `grantTypeAllowed` says the application lacks the grant, whatever the engine's wording.
 * test/flows/modes/grant-types.test.ts and response-types.test.ts fail if an engine upgrade
 * changes either answer; a missing method stops the start here.
 */
export function answerUnauthorizedClient(provider: OidcProvider): void {
  const { prototype } = provider.Client;
  if (typeof prototype.responseTypeAllowed !== 'function' || typeof prototype.grantTypeAllowed !== 'function') {
    throw new Error('oidc-provider has no Client#responseTypeAllowed or #grantTypeAllowed any more: review src/oidc/unauthorized-client.ts for this version');
  }
  const allowed = prototype.responseTypeAllowed;
  prototype.responseTypeAllowed = function responseTypeAllowed(this: typeof prototype, type) {
    if (allowed.call(this, type)) return true;
    throw new errors.UnauthorizedClient('requested response_type is not allowed for this client');
  };

  provider.use(async (ctx, next) => {
    await next();
    if (refusedGrantType(ctx as KoaContextWithOIDC)) ctx.body = { ...(ctx.body as object), error: 'unauthorized_client' };
  });
}

/**
 * The engine refused a token request of an application for a grant type it has not
 * registered. The engine knows the application once it has looked it up; with the methods
 * Gatehouse enables (no client attestation) every later authentication failure is
 * `invalid_client` (401), so an `invalid_request` here comes after the application proved who
 * it is, and naming its grant types reveals nothing to others (auth-methods.test.ts checks).
 */
function refusedGrantType(ctx: KoaContextWithOIDC): boolean {
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  const grantType = oidc?.params?.grant_type;
  return (
    oidc?.route === 'token' &&
    ctx.status === 400 &&
    (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_request' &&
    oidc.client !== undefined &&
    typeof grantType === 'string' &&
    !oidc.client.grantTypeAllowed(grantType)
  );
}
