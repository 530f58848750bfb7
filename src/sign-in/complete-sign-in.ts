import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Interactions, PendingInteraction } from '../oidc/interactions.js';
import type { IdentityKey, IdentityService, UnlinkedIdentityRule } from '../users/identity-service.js';
import type { User } from '../users/user.js';

/** Who a method found the user to be. */
export type SignedInAs =
  /** A user the method identified and checked itself (enabled, allowed to sign in), as the password check does. */
  | { user: User }
  /** An identity at another issuer; the user is the one linked to it, or the method's rule decides. */
  | { identity: IdentityKey; whenUnlinked: UnlinkedIdentityRule };

/**
 * How the person got here, for the audit log: the sign-in method's id (`password`, `oidc`,
 * `jwt`) and, for a method that goes through another site, the connection.
 */
export interface SignInVia {
  method: string;
  connectionId?: string;
}

export interface CompletedSignIn {
  /** The interaction the sign-in finishes; its cookie must be on the request. */
  uid: string;
  /** How the user proved who they are (RFC 8176 values such as `pwd`, `mfa`, `fed`): the session and id_token carry it. */
  amr: string[];
  as: SignedInAs;
  via: SignInVia;
}

/**
 * `ok: false`: no enabled user for the identity (`userId` names the disabled one, if it was
 * that); the browser stays on the login page.
 */
export type SignInCompletion = { ok: true; userId: string; redirectTo: string } | { ok: false; userId: string | undefined };

export type CompleteSignIn = (req: IncomingMessage, res: ServerResponse, signIn: CompletedSignIn) => Promise<SignInCompletion>;

/**
 * The gate every first factor passes (src/sign-in/mfa/mfa-flow.ts): where the sign-in goes on
 * (its second factor, or setting one up), or undefined when it may finish now.
 */
export type SecondFactorGate = (pending: PendingInteraction, userId: string, amr: string[], via: SignInVia) => Promise<string | undefined>;

/**
 * A check every sign-in passes once its user is known, before it finishes: where the browser
 * goes instead (a page of the step), or undefined to go on. The second-factor gate is one.
 */
export type SignInStep = SecondFactorGate;

/**
 * The steps in order, as one gate: the first that sends the browser elsewhere stops the others,
 * so that, e.g., an application's demand of a verified email address (verified-email-step.ts)
 * is met before a second factor is asked for.
 */
export function inOrder(...steps: SignInStep[]): SecondFactorGate {
  return async (pending, userId, amr, via) => {
    for (const step of steps) {
      const elsewhere = await step(pending, userId, amr, via);
      if (elsewhere !== undefined) return elsewhere;
    }
    return undefined;
  };
}

/**
 * The one step every sign-in method ends with: resolves the user (linking or provisioning an
 * external identity by the method's rule), passes the second-factor gate, and finishes the
 * engine's login prompt with the method's amr. Returns where the browser goes on: the second
 * step of the sign-in, or the engine resuming the authorization request.
 */
export function createCompleteSignIn({ interactions, identities, gate }: { interactions: Interactions; identities: IdentityService; gate: SecondFactorGate }): CompleteSignIn {
  const userOf = async (as: SignedInAs): Promise<User | undefined> =>
    'user' in as ? as.user : identities.userFor(as.identity, as.whenUnlinked);

  return async (req, res, { uid, amr, as, via }) => {
    const user = await userOf(as);
    if (!user || user.disabled) return { ok: false, userId: user?.id };
    const secondStep = await gate(await interactions.load(req, res, uid), user.id, amr, via);
    if (secondStep !== undefined) return { ok: true, userId: user.id, redirectTo: secondStep };
    return { ok: true, userId: user.id, redirectTo: await interactions.finishLogin(req, res, uid, user.id, amr) };
  };
}
