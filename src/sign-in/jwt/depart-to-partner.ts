import type { FastifyReply } from 'fastify';
import { jwtCallbackUrl, type JwtConnection } from '../../connections/connection.js';
import type { Clock } from '../../runtime/clock.js';
import type { BrowserBinding } from '../detour/browser-binding.js';
import type { Detours } from '../detour/detours.js';

/** The query parameter that carries Gatehouse's callback URL to the partner's sign-in page (seed 003's `raytha_callback_url`). */
export const callbackParameter = 'gatehouse_callback_url';

export interface PartnerTrip {
  connection: JwtConnection;
  uid: string;
  /** Epoch milliseconds at which the interaction expires: the detour never outlives it. */
  notAfter: number;
  /** The binding cookie's value for this browser (the one it has, else a new one). */
  binding: string;
}

/**
 * The departure to a partner: a detour row and the browser's binding cookie, then 303 to the
 * partner's sign-in URL with `gatehouse_callback_url`: the connection's callback with the
 * detour's state as a query parameter of its own, so that the partner only has to add `token`.
 */
export function createPartnerDeparture({ detours, binding: bindings, clock, publicOrigin }: { detours: Detours; binding: BrowserBinding; clock: Clock; publicOrigin: string }) {
  return async function departToPartner(reply: FastifyReply, trip: PartnerTrip): Promise<FastifyReply> {
    const callback = jwtCallbackUrl(publicOrigin, trip.connection.id);
    const departed = await detours.departToPartner({
      purpose: 'sign_in',
      interactionUid: trip.uid,
      connectionId: trip.connection.id,
      redirectUri: callback,
      binding: trip.binding,
      notAfter: trip.notAfter,
    });
    bindings.send(reply, trip.binding, (departed.expiresAt - clock.now()) / 1000);
    const callbackUrl = new URL(callback);
    callbackUrl.searchParams.set('state', departed.state);
    const signIn = new URL(trip.connection.signInUrl);
    signIn.searchParams.set(callbackParameter, callbackUrl.href);
    return reply.redirect(signIn.href, 303);
  };
}

export type DepartToPartner = ReturnType<typeof createPartnerDeparture>;
