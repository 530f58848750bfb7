import type { IncomingMessage } from 'node:http';
import type { ClientAuthLimits } from '../protection/client-auth-limits.js';
import type { ClientLookup } from './adapter.js';
import type { EngineMiddleware, KoaContextWithOIDC } from './engine.js';
import { clientAuthenticationInProgress, throwAnswer, type ClientAuthRoute } from './engine-internals.js';
import { oauthError } from './oauth-error.js';

export interface ClientAuthThrottle {
  /** The lookup to give the adapter: it refuses a blocked application (or unknown client_id) at an address before its credential is checked. */
  guard(lookup: ClientLookup): ClientLookup;
  /** Hears the error events of the client-authenticating routes (onClientAuthRouteError). */
  onRouteError(route: ClientAuthRoute, ctx: KoaContextWithOIDC, error: unknown): void;
  /** Counts a failure once the engine has answered, so that it is stored before the answer leaves. */
  middleware: EngineMiddleware;
}

function isInvalidClient(error: unknown): boolean {
  return (error as { error?: unknown } | undefined)?.error === 'invalid_client';
}

function refusal(retryAfterSeconds: number, known: boolean) {
  const who = known ? 'this application' : 'unknown client_ids';
  const description = `too many failed authentications of ${who} from this address; retry after ${retryAfterSeconds} seconds`;
  return oauthError(429, 'temporarily_unavailable', description, retryAfterSeconds);
}

/**
 * Throttles failed client authentications per application and client address. The engine looks
 * the application up by client_id before it checks any credential, whatever the method
 * (engine-internals.ts, clientAuthenticationInProgress), so the lookup answers 429 for a blocked
 * pair, or for an address's unknown client_ids when the id names no application. An
 * `invalid_client` answer (whatever its format) is counted afterwards, against the application
 * when the id names one, else against the address's unknown client_ids.
 *
 * Unlike passwords, which are counted before they are checked, client authentications are
 * checked with one read and counted only when they fail: every token request passes here, so a
 * busy application behind one address must not queue on its counter row, and a client secret
 * (at least 32 random characters) or key does not fall to the few guesses that a burst can add
 * before the block lands. The password grant counts its password attempts itself.
 */
export function createClientAuthThrottle(deps: { limits: ClientAuthLimits; clientIp: (req: IncomingMessage) => string }): ClientAuthThrottle {
  /** The requests that failed with invalid_client, and the application they named (undefined: none). */
  const failed = new WeakMap<object, { clientId: string | undefined }>();
  return {
    guard(lookup) {
      return async (clientId) => {
        const metadata = await lookup(clientId);
        const ctx = clientAuthenticationInProgress();
        if (!ctx) return metadata;
        const known = metadata !== undefined;
        const blockedFor = await deps.limits.blockedFor(deps.clientIp(ctx.req), known ? clientId : undefined);
        if (blockedFor !== undefined) throwAnswer(ctx, refusal(blockedFor, known));
        return metadata;
      };
    },
    onRouteError(_route, ctx, error) {
      if (isInvalidClient(error)) failed.set(ctx, { clientId: ctx.oidc.client?.clientId });
    },
    async middleware(ctx, next) {
      try {
        await next();
      } finally {
        const failure = failed.get(ctx);
        if (failure) await deps.limits.recordFailure(deps.clientIp(ctx.req), failure.clientId);
      }
    },
  };
}
