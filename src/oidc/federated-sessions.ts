import type { Logger } from 'pino';
import type { EngineMiddleware } from './engine.js';
import { endedSession, redirectInstead, resumedLogin, type EndedSession, type ResumedLogin } from './engine-internals.js';

/**
 * What the upstream sign-in keeps about the engine's sessions: which upstream a session's
 * login came from (to end the upstream session too at logout). Implemented by the upstream
 * OpenID Connect method (src/sign-in/oidc/upstream-logout.ts).
 */
export interface FederatedSessions {
  /** A login went into an engine session. */
  loggedIn(login: ResumedLogin): Promise<void>;
  /** A signed-in session ended at RP-initiated logout: where the browser goes instead of `next`, if anywhere. */
  loggedOut(ended: EndedSession): Promise<string | undefined>;
}

/**
 * Around the engine's routes, after they answered: a resumed login is recorded, and a logout
 * that ended a session from an upstream sends the browser to end the upstream session, from
 * where it comes back to `next`. The engine's own answer stands when this fails: a sign-in or
 * logout at Gatehouse never fails because the upstream's bookkeeping did.
 */
export function federatedSessionsMiddleware(sessions: FederatedSessions, logger: Logger): EngineMiddleware {
  return async (ctx, next) => {
    await next();
    try {
      const login = resumedLogin(ctx);
      if (login) await sessions.loggedIn(login);
      const ended = endedSession(ctx);
      const elsewhere = ended && (await sessions.loggedOut(ended));
      if (elsewhere) redirectInstead(ctx, elsewhere);
    } catch (error) {
      logger.warn({ err: error }, 'recording an upstream session failed; the engine answered as usual');
    }
  };
}
