import type { FastifyReply, FastifyRequest } from 'fastify';
import { defaults } from '../config/defaults.js';
import type { Csrf } from '../http/interaction/csrf.js';
import { atLeast } from '../mfa/assurance.js';
import { sessionLevel } from '../oidc/authentication-requirements.js';
import { currentSession, type CurrentSession } from '../oidc/current-session.js';
import type { OidcProvider } from '../oidc/engine.js';
import type { EnrolRequest } from '../oidc/interactions.js';
import type { Clock } from '../runtime/clock.js';
import type { Services } from '../services.js';
import type { PlainSession } from '../sign-in/plain-session.js';

export interface SignedInDeps {
  engine: () => OidcProvider;
  services: Pick<Services, 'mfa'>;
  csrf: Csrf;
  plainSession: PlainSession;
  clock: Clock;
}

export interface SignedInPostOptions {
  /** The page the form belongs to: a sign-in asked for first comes back here. */
  returnTo: string;
  /** A change that needs a sign-in of the last five minutes (defaults.mfa.freshSignInSeconds): an older one signs in again, back to `returnTo?notice=fresh`. */
  fresh: boolean;
}

export type SignedIn = ReturnType<typeof createSignedIn>;

/**
 * What a signed-in page or post gives: the session, or undefined when the browser was sent to sign
 * in (the reply is sent: return `reply`). Never the reply itself: a reply is a thenable, and a
 * promise resolved with a sent one resolves to undefined.
 */
export const isSession = (value: CurrentSession | undefined): value is CurrentSession => value !== undefined;

/** `path?notice=fresh`, or `&notice=fresh` when the path has a query already. */
const withFreshNotice = (path: string) => `${path}${path.includes('?') ? '&' : '?'}notice=fresh`;

/**
 * The signed-in pages of Gatehouse itself (/account, /account/security, /account/email): who is
 * signed in in this browser (the engine's session of Gatehouse's own client, plain-session.ts),
 * their forms' CSRF token, bound to that session, and the rule that a sensitive change needs a
 * sign-in of the last five minutes, else the person signs in again (prompt=login) and returns.
 */
export function createSignedIn({ engine, services, csrf, plainSession, clock }: SignedInDeps) {
  /** The CSRF subject of a session's forms: bound to the engine's session, as an interaction's token is bound to it. */
  const csrfSubject = (session: CurrentSession) => `account:${session.uid}`;

  /** Sends the browser to sign in afresh (its second factor included, when it has one) and back to `returnTo`; `enrol` ends it by setting up that factor. */
  const signIn = (reply: FastifyReply, returnTo: string, enrol?: EnrolRequest) => plainSession.start(reply, enrol ? { enrol } : {}, returnTo);

  /** Signed in within the last five minutes. */
  const isFresh = (session: CurrentSession) => session.loginTs * 1000 > clock.now() - defaults.mfa.freshSignInSeconds * 1000;

  /**
   * The signed-in person, when their session is as strong as their factors: one who has a second
   * factor and signed in without it (a policy `off`, a partner's sign-in) signs in again with it.
   */
  async function sessionOf(request: FastifyRequest, reply: FastifyReply): Promise<CurrentSession | undefined> {
    const session = await currentSession(engine(), request.raw, reply.raw);
    if (!session || atLeast(sessionLevel(session), 'mfa')) return session;
    const { totp, passkeys } = await services.mfa.factors.enrolled(session.accountId);
    return totp || passkeys > 0 ? undefined : session;
  }

  return {
    signIn,
    /** The token to put in the `csrf` field of this session's forms. */
    csrfToken: (session: CurrentSession) => csrf.tokenFor(csrfSubject(session)),
    /** A page's GET: the session, or undefined with the browser sent to sign in and back to `returnTo`. */
    async pageSession(request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<CurrentSession | undefined> {
      const session = await sessionOf(request, reply);
      if (!session) signIn(reply, returnTo);
      return session;
    },
    /**
     * A form post of a signed-in person, its CSRF token checked (csrf_invalid, 403, otherwise);
     * nobody signed in signs in first, and a sensitive change with a sign-in too old signs in again.
     */
    async signedInPost(request: FastifyRequest, reply: FastifyReply, submitted: string | undefined, { returnTo, fresh }: SignedInPostOptions): Promise<CurrentSession | undefined> {
      const session = await sessionOf(request, reply);
      if (!session) {
        signIn(reply, returnTo);
        return undefined;
      }
      csrf.verify(request, csrfSubject(session), submitted);
      if (fresh && !isFresh(session)) {
        signIn(reply, withFreshNotice(returnTo));
        return undefined;
      }
      return session;
    },
  };
}
