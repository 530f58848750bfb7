import type { FastifyPluginAsync } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isGatehouseError } from '../errors/gatehouse-error.js';
import { validationErrorFormatter } from '../http/interaction/validation-errors.js';
import { useLocale } from '../http/locale.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { t } from '../i18n/page-locale.js';
import { atLeast } from '../mfa/assurance.js';
import type { PasskeyCeremonies } from '../mfa/passkey-ceremonies.js';
import { recoveryCodesPage } from '../views/recovery-codes-page.js';
import { securityPage } from '../views/security-page.js';
import { csrfForm, sendPage } from './account-context.js';
import type { AccountDeps } from './account-deps.js';
import { createOwnerNotifier } from './notify-owner.js';
import { createSignedIn, isSession } from './signed-in.js';
import { LastWayIn } from '../users/ways-in.js';

export interface SecurityRouteDeps extends AccountDeps {
  /** Renames the person's passkeys (the name is checked there). */
  passkeys: Pick<PasskeyCeremonies, 'rename'>;
}

export const securityPath = '/account/security';

const notices = {
  removed: { text: 'security.notice.removed', error: false },
  renamed: { text: 'security.notice.renamed', error: false },
  fresh: { text: 'security.notice.fresh', error: false },
  last: { text: 'security.notice.last', error: true },
  lastWayIn: { text: 'security.notice.lastWayIn', error: true },
} as const satisfies Record<string, { text: MessageKey; error: boolean }>;

const factorParams = z.object({ id: z.string().min(1).max(1400) });
const renameForm = csrfForm.extend({ name: z.string().max(200).default('') });
const pageQuery = z.object({ notice: z.enum(Object.keys(notices) as [keyof typeof notices]).optional() });

/**
 * `/account/security`, the signed-in person's own second factors: listed, passkeys renamed,
 * factors removed and recovery codes made anew. Signed in through Gatehouse itself (the session
 * client, plain-session.ts); removing a factor or making codes needs a sign-in of the last five
 * minutes, and adding one is a fresh sign-in that ends by setting it up (`enrol=`), so that the
 * second factor already set up is proved first. A factor removed and new codes are told to the
 * owner by email (notify-owner.ts).
 */
export const securityRoutes: FastifyPluginAsync<SecurityRouteDeps> = async (scope, deps) => {
  const { services, plainSession } = deps;
  scope.setValidatorCompiler(validatorCompiler);
  scope.setSerializerCompiler(serializerCompiler);
  scope.setSchemaErrorFormatter(validationErrorFormatter);
  const routes = scope.withTypeProvider<ZodTypeProvider>();

  // Whoever has a second factor gives it in each sign-in here, whatever the policy (mfa-flow.ts, Gatehouse's own client).
  const signedIn = createSignedIn(deps);
  const notifyOwner = createOwnerNotifier(deps);
  const changeOn = { returnTo: securityPath, fresh: true };

  // The return of every sign-in to Gatehouse itself (this page's, and a partner's `/login/sso/{id}`): registered once, here.
  plainSession.registerReturnRoute(routes);

  routes.get(securityPath, { schema: { querystring: pageQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, securityPath);
    if (!isSession(session)) return reply;
    const user = await services.users.findById(session.accountId);
    if (!user) return signedIn.signIn(reply, securityPath);
    useLocale({ userLocale: user.profile.locale });
    const { notice } = request.query;
    return sendPage(reply, securityPage({
      username: user.username, csrfToken: signedIn.csrfToken(session), factors: await services.mfa.factors.list(user.id),
      ...(notice ? { notice: { text: t(notices[notice].text), error: notices[notice].error } } : {}),
    }));
  });

  routes.get(`${securityPath}/add/:factor`, { schema: { params: z.object({ factor: z.enum(['totp', 'passkey']) }) } }, async (request, reply) =>
    signedIn.signIn(reply, securityPath, request.params.factor));

  routes.post(`${securityPath}/factors/:id/remove`, { schema: { params: factorParams, body: csrfForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, changeOn);
    if (!isSession(session)) return reply;
    const userId = session.accountId;
    const { level } = await deps.requirementFor({ userId, application: undefined });
    const keepOne = level !== 'unsupported' && atLeast(level, 'mfa');
    try {
      await services.mfa.factors.remove({ kind: 'user', userId }, userId, request.params.id, { keepOne, keepWayIn: true });
    } catch (error) {
      if (error instanceof LastWayIn) return reply.redirect(`${securityPath}?notice=lastWayIn`, 303);
      if (keepOne && isGatehouseError(error) && error.code === 'conflict') return reply.redirect(`${securityPath}?notice=last`, 303);
      throw error;
    }
    await notifyOwner(userId, 'factor_removed', request.log);
    return reply.redirect(`${securityPath}?notice=removed`, 303);
  });

  routes.post(`${securityPath}/passkeys/:id/rename`, { schema: { params: factorParams, body: renameForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, changeOn);
    if (!isSession(session)) return reply;
    await deps.passkeys.rename(session.accountId, request.params.id, request.body.name);
    return reply.redirect(`${securityPath}?notice=renamed`, 303);
  });

  routes.post(`${securityPath}/recovery-codes`, { schema: { body: csrfForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, changeOn);
    if (!isSession(session)) return reply;
    const userId = session.accountId;
    const enrolled = await services.mfa.factors.enrolled(userId);
    if (!enrolled.totp && enrolled.passkeys === 0) return reply.redirect(securityPath, 303);
    const codes = await services.mfa.recoveryCodes.generate({ kind: 'user', userId }, userId);
    await notifyOwner(userId, 'recovery_codes', request.log);
    return sendPage(reply, recoveryCodesPage({ codes, next: { href: securityPath } }));
  });
};
