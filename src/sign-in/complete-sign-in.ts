import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Interactions } from '../oidc/interactions.js';
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
 * The one step every sign-in method ends with: resolves the user (linking or provisioning an
 * external identity by the method's rule) and finishes the engine's login prompt with the
 * method's amr. Returns where the engine resumes the authorization request.
 */
export function createCompleteSignIn({ interactions, identities }: { interactions: Interactions; identities: IdentityService }): CompleteSignIn {
  const userOf = async (as: SignedInAs): Promise<User | undefined> =>
    'user' in as ? as.user : identities.userFor(as.identity, as.whenUnlinked);

  return async (req, res, { uid, amr, as }) => {
    const user = await userOf(as);
    if (!user || user.disabled) return { ok: false, userId: user?.id };
    return { ok: true, userId: user.id, redirectTo: await interactions.finishLogin(req, res, uid, user.id, amr) };
  };
}
