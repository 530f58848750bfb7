import type { UserService } from '../users/user-service.js';
import { errors, interactionPolicy, type KoaContextWithOIDC } from './engine.js';

/** The application metadata property (a Gatehouse extension): sign-ins complete only for users whose email address is verified. */
export const requireVerifiedEmailProperty = 'require_verified_email';

/** The reason the login prompt names when the signed-in user's address is not verified and the application requires it. */
export const verifiedEmailReason = 'verified_email';

const description = 'the application requires a verified email address, and the signed-in user has none';

/** Whether the user may sign in to an application that requires a verified address. */
export async function hasVerifiedEmail(users: Pick<UserService, 'findById'>, userId: string): Promise<boolean> {
  const user = await users.findById(userId);
  return user?.email !== undefined && user.profile.email_verified === true;
}

/**
 * A browser signed in already is not asked to sign in again, so the sign-in's own stop for an
 * unverified address (src/sign-in/verified-email-step.ts) would never run for it: this check asks
 * for the login prompt instead, whose page sends the person to that stop. With `prompt=none` the
 * application gets `interaction_required`; a sign-in just completed without a verified address
 * (changed meanwhile) ends the request rather than asking again and again.
 */
export function verifiedEmailCheck(users: Pick<UserService, 'findById'>) {
  return new interactionPolicy.Check(verifiedEmailReason, description, 'interaction_required', async (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    const accountId = oidc.session?.accountId;
    if (!accountId || oidc.client?.[requireVerifiedEmailProperty] !== true) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    if (await hasVerifiedEmail(users, accountId)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    if (oidc.result?.login) throw new errors.AccessDenied(description);
    return interactionPolicy.Check.REQUEST_PROMPT;
  });
}
