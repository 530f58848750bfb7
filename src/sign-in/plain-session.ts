import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import type { SignedValues } from '../crypto/signed-values.js';
import type { EnrolRequest } from '../oidc/interactions.js';
import { sessionClientId, sessionReturnPath } from '../oidc/session-client.js';
import { t } from '../i18n/page-locale.js';
import { messagePage } from '../views/message-page.js';
import { localPath } from './local-path.js';
import type { SignInRoutes } from './sign-in-method.js';

export interface PlainSessionDeps {
  /** The engine's issuer: its authorization endpoint is `{issuer}/auth`. */
  issuer: string;
  publicOrigin: string;
  /** Signs the return address that travels as the authorization request's state. */
  returns: SignedValues;
}

const returnQuery = z.object({ state: z.string().max(4000).default(''), error: z.string().max(200).optional() });

/** Paths that would start a sign-in again (and again) rather than end one. */
const signInPaths = /^\/(login|interaction)(\/|$)/;

/** Where the person ends: a path of Gatehouse's own, not one of the sign-in's own steps, else `/`. */
function returnPath(returnUrl: string | undefined): string {
  const path = localPath(returnUrl);
  return signInPaths.test(path) ? '/' : path;
}

/** What a plain sign-in is for: through one connection (`connection=`), or to set up a factor (`enrol=`, the security page). */
export interface PlainSignIn {
  connection?: string;
  enrol?: EnrolRequest;
}

/**
 * A sign-in to Gatehouse itself, with no application behind it: an authorization request of
 * Gatehouse's own client (oidc/session-client.ts), straight to one connection or to setting up a
 * factor when asked, that always asks the person to sign in (`prompt=login`), so that it is
 * fresh. The engine ends it with its session cookie set, and the return sends the browser to the
 * path it asked for.
 */
export function createPlainSession({ issuer, publicOrigin, returns }: PlainSessionDeps) {
  return {
    /** Sends the browser off to sign in, to come back to `returnUrl` (a path of Gatehouse's, else `/`). */
    start(reply: FastifyReply, signIn: PlainSignIn, returnUrl: string | undefined): FastifyReply {
      // The code is never redeemed; the challenge only satisfies PKCE, which public clients must use.
      const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
      const url = new URL(`${issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: sessionClientId,
        response_type: 'code',
        redirect_uri: `${publicOrigin}${sessionReturnPath}`,
        scope: 'openid',
        prompt: 'login',
        ...signIn,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: returns.sign(returnPath(returnUrl), defaults.ttl.interaction),
      }).toString();
      return reply.redirect(url.href, 303);
    },

    /** The engine's redirect back: on to the path the sign-in was for; a cancelled one says so. */
    registerReturnRoute(routes: SignInRoutes): void {
      routes.get(sessionReturnPath, { schema: { querystring: returnQuery } }, async (request, reply) => {
        const returnTo = returns.open(request.query.state);
        if (request.query.error !== undefined || returnTo === undefined) {
          return reply.type('text/html; charset=utf-8').send(messagePage(t('notSignedIn.title'), t('notSignedIn.message')));
        }
        return reply.redirect(returnPath(returnTo), 303);
      });
    },
  };
}

export type PlainSession = ReturnType<typeof createPlainSession>;
