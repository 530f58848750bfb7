import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { interactionPath } from '../../oidc/interaction-path.js';
import type { PendingInteraction } from '../../oidc/interactions.js';
import { csrfField, formBody, interactionParams } from '../route-schemas.js';
import type { SignInContext, SignInRoutes } from '../sign-in-method.js';
import { connectionUnavailable } from './detour-failures.js';
import type { Detours } from './detours.js';

export interface ConnectionDepartureDeps<C extends { enabled: boolean }> {
  /** The method's connection of this id, if it is one of the method's type. */
  find(id: string): Promise<C | undefined>;
  detours: Pick<Detours, 'wasAway'>;
  /** Sends the browser off through the connection for this interaction. */
  signInThrough(request: FastifyRequest, reply: FastifyReply, pending: PendingInteraction, connection: C): Promise<FastifyReply>;
}

const startForm = formBody({ ...csrfField, connection: z.string().max(64).default('') });

/**
 * The departures every method whose sign-in goes through another site shares: only an enabled
 * connection is gone to; `connection=` on the authorization request is taken once per
 * interaction (coming back to the login page after a failed trip shows the page); a button
 * posts to the method's `/start`.
 */
export function connectionDepartures<C extends { enabled: boolean }>({ find, detours, signInThrough }: ConnectionDepartureDeps<C>) {
  const enabled = async (id: string | undefined): Promise<C | undefined> => {
    const connection = id ? await find(id) : undefined;
    return connection?.enabled ? connection : undefined;
  };

  return {
    enabled,

    async shortcut(request: FastifyRequest, reply: FastifyReply, pending: PendingInteraction): Promise<FastifyReply | undefined> {
      const connection = await enabled(pending.connection);
      if (!connection || (await detours.wasAway(pending.uid))) return undefined;
      return signInThrough(request, reply, pending, connection);
    },

    /** The button's route. The form was loaded and its CSRF token checked by the interaction routes before this runs. */
    registerStart(routes: SignInRoutes, context: SignInContext): void {
      routes.post('/start', { schema: { params: interactionParams, body: startForm } }, async (request, reply) => {
        const pending = await context.load(request, reply, request.params.uid);
        if (pending.prompt !== 'login') return reply.redirect(interactionPath(pending.uid), 303);
        const connection = await enabled(request.body.connection);
        if (!connection) return context.showLoginPage(reply, pending, { status: 400, message: connectionUnavailable(request.body.connection).message });
        return signInThrough(request, reply, pending, connection);
      });
    },
  };
}
