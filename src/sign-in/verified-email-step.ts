import type { ApplicationService } from '../applications/application-service.js';
import { defaults } from '../config/defaults.js';
import type { SignedValues } from '../crypto/signed-values.js';
import { interactionPath } from '../oidc/interaction-path.js';
import type { PendingInteraction } from '../oidc/interactions.js';
import type { UserService } from '../users/user-service.js';
import { hasVerifiedEmail, verifiedEmailReason } from '../oidc/verified-email-check.js';
import { html } from '../views/html.js';
import type { SignInStep } from './complete-sign-in.js';
import type { SignInMethod } from './sign-in-method.js';

/** The page a sign-in stopped for an unverified address shows (src/account/recovery/verified-email-page-routes.ts). */
export const verifiedEmailPath = (uid: string) => `${interactionPath(uid)}/verified-email`;

/** Who the page is about: the interaction, its user and its application, signed so that the page can trust it. */
export interface VerifiedEmailTicket {
  uid: string;
  userId: string;
  clientId: string;
}

export interface VerifiedEmailStepDeps {
  applications: Pick<ApplicationService, 'findClientMetadata'>;
  users: Pick<UserService, 'findById'>;
  /** Signs the ticket the page reads (derived key `verified email step`). */
  tickets: SignedValues;
}

/**
 * An application that requires a verified email address (`require_verified_email`) gets no
 * sign-in of a user whose address is not verified: before anything else (the second factor
 * included), the sign-in stops at a page that says so and offers the verification link. The
 * interaction stays pending; once the address is verified, signing in again completes it.
 */
export function verifiedEmailStep({ applications, users, tickets }: VerifiedEmailStepDeps): SignInStep {
  return async (pending: PendingInteraction, userId: string) => {
    const application = await applications.findClientMetadata(pending.clientId);
    if (application?.require_verified_email !== true) return undefined;
    if (await hasVerifiedEmail(users, userId)) return undefined;
    const ticket: VerifiedEmailTicket = { uid: pending.uid, userId, clientId: pending.clientId };
    // As long as an interaction lasts: the page is useless once the sign-in it belongs to is gone.
    return `${verifiedEmailPath(pending.uid)}?ticket=${encodeURIComponent(tickets.sign(JSON.stringify(ticket), defaults.ttl.interaction))}`;
  };
}

/**
 * A browser signed in already whose address the application requires verified (the engine's
 * `verified_email` check, src/oidc/verified-email-check.ts) goes straight to the step's page
 * instead of the login page: it is signed in; its address is what is missing. It has no
 * section and no routes of its own: the page is the step's.
 */
export function verifiedEmailShortcut(step: SignInStep): SignInMethod {
  return {
    id: 'verified-email-check',
    loginSection: () => html``,
    async shortcut(_request, reply, pending) {
      if (pending.accountId === undefined || !pending.reasons.includes(verifiedEmailReason)) return undefined;
      const elsewhere = await step(pending, pending.accountId, [], { method: 'session' });
      return elsewhere === undefined ? undefined : reply.redirect(elsewhere, 303);
    },
    interactionRoutes: () => {},
  };
}
