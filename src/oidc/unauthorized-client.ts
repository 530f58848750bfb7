import { errors } from './engine.js';
import type { OidcProvider } from './provider.js';

const grantTypeRefused = 'requested grant type is not allowed for this client';

/**
 * oidc-provider answers `invalid_request` when an application uses a response type or grant
 * type it has not registered; RFC 6749 §4.1.2.1, §4.2.2.1 and §5.2 name that
 * `unauthorized_client`, which client libraries and the seed documents expect. The
 * authorization endpoint's check throws it directly (the engine calls `responseTypeAllowed`
 * there only); the token endpoint's JSON answer is relabelled.
 */
export function answerUnauthorizedClient(provider: OidcProvider): void {
  const { prototype } = provider.Client;
  const allowed = prototype.responseTypeAllowed;
  prototype.responseTypeAllowed = function responseTypeAllowed(this: typeof prototype, type) {
    if (allowed.call(this, type)) return true;
    throw new errors.UnauthorizedClient('requested response_type is not allowed for this client');
  };

  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (ctx.status === 400 && body?.error === 'invalid_request' && body.error_description === grantTypeRefused) {
      ctx.body = { ...body, error: 'unauthorized_client' };
    }
  });
}
