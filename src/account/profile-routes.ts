import { t } from '../i18n/page-locale.js';
import type { Profile } from '../users/user-schema.js';
import { accountProfilePage, type EditableClaim } from '../views/account-profile-page.js';
import { accountUser, noticeQuery, pageNotice, sendPage, withNotice, type AccountContext } from './account-context.js';
import { profileFormBody, profileFormValues, readProfileForm } from './profile-form.js';
import { isSession } from './signed-in.js';

export const profilePath = '/account/profile';

/**
 * `/account/profile`: the claims a person edits themselves (name, given and family name,
 * nickname, picture, language, phone number). The form is checked whole: one wrong field saves
 * nothing and each wrong field says why. The change goes through the user service, as an
 * administrator's does, recorded as `user.updated` by the user.
 */
export function profileRoutes(context: AccountContext): void {
  const { routes, signedIn, deps } = context;

  routes.get(profilePath, { schema: { querystring: noticeQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, profilePath);
    if (!isSession(session)) return reply;
    const user = await accountUser(context, session);
    if (!user) return signedIn.signIn(reply, profilePath);
    return sendPage(reply, accountProfilePage({
      csrfToken: signedIn.csrfToken(session), values: profileFormValues(user.profile), errors: {}, notice: pageNotice(request.query.notice),
    }));
  });

  routes.post(profilePath, { schema: { body: profileFormBody } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, { returnTo: profilePath, fresh: false });
    if (!isSession(session)) return reply;
    const user = await accountUser(context, session);
    if (!user) return signedIn.signIn(reply, profilePath);
    const read = readProfileForm(request.body);
    if ('problems' in read) {
      const errors = Object.fromEntries(Object.entries(read.problems).map(([claim, problem]) => [claim, t(problem.key, problem.params)])) as Partial<Record<EditableClaim, string>>;
      return sendPage(reply, accountProfilePage({
        csrfToken: signedIn.csrfToken(session), values: request.body, errors, notice: { text: t('account.profile.invalid'), error: true },
      }), 400);
    }
    const { changes, cleared } = read;
    await deps.services.users.updateUser({ kind: 'user', userId: user.id }, user.id, (current) => {
      const profile: Profile = { ...current.profile, ...changes };
      for (const claim of cleared) delete profile[claim];
      return { profile };
    });
    return reply.redirect(withNotice(profilePath, 'saved'), 303);
  });
}
