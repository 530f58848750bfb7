import type { FastifyPluginAsync } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { validationErrorFormatter } from '../http/interaction/validation-errors.js';
import { accountOverviewPage } from '../views/account-overview-page.js';
import { accountUser, noticeQuery, pageNotice, sendPage, type AccountContext } from './account-context.js';
import type { AccountDeps } from './account-deps.js';
import { identitiesRoutes } from './identities-routes.js';
import { createOwnerNotifier } from './notify-owner.js';
import { passwordRoutes } from './password-routes.js';
import { profileRoutes } from './profile-routes.js';
import { sessionsRoutes } from './sessions-routes.js';
import { createSignedIn, isSession } from './signed-in.js';

export const accountPath = '/account';

/**
 * `/account`: the signed-in person's profile, password, sessions, applications and linked
 * identities (the second factors are security-routes.ts's, the email address the recovery
 * area's), signed in through Gatehouse itself (signed-in.ts). docs/account.md describes them.
 */
export const accountRoutes: FastifyPluginAsync<AccountDeps> = async (scope, deps) => {
  scope.setValidatorCompiler(validatorCompiler);
  scope.setSerializerCompiler(serializerCompiler);
  scope.setSchemaErrorFormatter(validationErrorFormatter);
  const context: AccountContext = {
    routes: scope.withTypeProvider<ZodTypeProvider>(),
    deps,
    signedIn: createSignedIn(deps),
    notifyOwner: createOwnerNotifier(deps),
  };
  const { routes, signedIn } = context;

  routes.get(accountPath, { schema: { querystring: noticeQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, accountPath);
    if (!isSession(session)) return reply;
    const user = await accountUser(context, session);
    if (!user) return signedIn.signIn(reply, accountPath);
    return sendPage(reply, accountOverviewPage({ username: user.username, email: user.email, notice: pageNotice(request.query.notice) }));
  });

  profileRoutes(context);
  passwordRoutes(context);
  sessionsRoutes(context);
  identitiesRoutes(context);
};
