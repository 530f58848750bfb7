import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defaults } from '../config/defaults.js';
import { isGatehouseError } from '../errors/gatehouse-error.js';
import type { Csrf } from '../http/interaction/csrf.js';
import { validationErrorFormatter } from '../http/interaction/validation-errors.js';
import { useLocale } from '../http/locale.js';
import type { MessageKey } from '../i18n/catalogue.js';
import { t } from '../i18n/page-locale.js';
import { atLeast } from '../mfa/assurance.js';
import type { RequirementFor } from '../mfa/mfa-requirement.js';
import type { PasskeyCeremonies } from '../mfa/passkey-ceremonies.js';
import { sessionLevel } from '../oidc/authentication-requirements.js';
import { currentSession, type CurrentSession } from '../oidc/current-session.js';
import type { OidcProvider } from '../oidc/engine.js';
import type { Clock } from '../runtime/clock.js';
import type { Services } from '../services.js';
import type { PlainSession } from '../sign-in/plain-session.js';
import { recoveryCodesPage } from '../views/recovery-codes-page.js';
import { securityPage } from '../views/security-page.js';

export interface SecurityRouteDeps {
  engine: () => OidcProvider;
  services: Pick<Services, 'mfa' | 'users'>;
  csrf: Csrf;
  plainSession: PlainSession;
  requirementFor: RequirementFor;
  /** Renames the person's passkeys (the name is checked there). */
  passkeys: Pick<PasskeyCeremonies, 'rename'>;
  clock: Clock;
}

export const securityPath = '/account/security';

const notices = {
  removed: { text: 'security.notice.removed', error: false },
  renamed: { text: 'security.notice.renamed', error: false },
  fresh: { text: 'security.notice.fresh', error: false },
  last: { text: 'security.notice.last', error: true },
} as const satisfies Record<string, { text: MessageKey; error: boolean }>;

const csrfForm = z.object({ csrf: z.string().optional() });
const factorParams = z.object({ id: z.string().min(1).max(1400) });
const renameForm = z.object({ csrf: z.string().optional(), name: z.string().max(200).default('') });
const pageQuery = z.object({ notice: z.enum(Object.keys(notices) as [keyof typeof notices]).optional() });

/** The CSRF token of the security page's forms: bound to the engine's session, as an interaction's is bound to it. */
const csrfSubject = (session: CurrentSession) => `account:${session.uid}`;

/**
 * `/account/security`, the signed-in person's own second factors: listed, passkeys renamed,
 * factors removed and recovery codes made anew. Signed in through Gatehouse itself (the session
 * client, plain-session.ts); removing a factor or making codes needs a sign-in of the last five
 * minutes, and adding one is a fresh sign-in that ends by setting it up (`enrol=`), so that the
 * second factor already set up is proved first.
 */
export const securityRoutes: FastifyPluginAsync<SecurityRouteDeps> = async (scope, deps) => {
  const { services, csrf, plainSession, clock } = deps;
  scope.setValidatorCompiler(validatorCompiler);
  scope.setSerializerCompiler(serializerCompiler);
  scope.setSchemaErrorFormatter(validationErrorFormatter);
  const routes = scope.withTypeProvider<ZodTypeProvider>();

  // Whoever has a second factor gives it in this sign-in, whatever the policy (mfa-flow.ts, Gatehouse's own client).
  const signIn = (reply: FastifyReply, returnTo: string, enrol?: 'totp' | 'passkey') => plainSession.start(reply, enrol ? { enrol } : {}, returnTo);
  const fresh = (session: CurrentSession) => session.loginTs * 1000 > clock.now() - defaults.mfa.freshSignInSeconds * 1000;

  /**
   * The signed-in person, when their session is as strong as their factors: one who has a second
   * factor and signed in without it (a policy `off`, a partner's sign-in) signs in again with it.
   */
  async function sessionOf(request: FastifyRequest, reply: FastifyReply): Promise<CurrentSession | undefined> {
    const session = await currentSession(deps.engine(), request.raw, reply.raw);
    if (!session || atLeast(sessionLevel(session), 'mfa')) return session;
    const { totp, passkeys } = await services.mfa.factors.enrolled(session.accountId);
    return totp || passkeys > 0 ? undefined : session;
  }

  /** A form post of a signed-in person, its CSRF token checked; a sign-in too old for a change is made again first. */
  async function signedInPost(request: FastifyRequest, reply: FastifyReply, submitted: string | undefined): Promise<CurrentSession | FastifyReply> {
    const session = await sessionOf(request, reply);
    if (!session) return signIn(reply, securityPath);
    csrf.verify(request, csrfSubject(session), submitted);
    if (!fresh(session)) return signIn(reply, `${securityPath}?notice=fresh`);
    return session;
  }

  // The return of every sign-in to Gatehouse itself (this page's, and a partner's `/login/sso/{id}`): registered once, here.
  plainSession.registerReturnRoute(routes);

  routes.get(securityPath, { schema: { querystring: pageQuery } }, async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return signIn(reply, securityPath);
    const user = await services.users.findById(session.accountId);
    if (!user) return signIn(reply, securityPath);
    useLocale({ userLocale: user.profile.locale });
    const { notice } = request.query;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(securityPage({
      username: user.username, csrfToken: csrf.tokenFor(csrfSubject(session)), factors: await services.mfa.factors.list(user.id),
      ...(notice ? { notice: { text: t(notices[notice].text), error: notices[notice].error } } : {}),
    }));
  });

  routes.get(`${securityPath}/add/:factor`, { schema: { params: z.object({ factor: z.enum(['totp', 'passkey']) }) } }, async (request, reply) =>
    signIn(reply, securityPath, request.params.factor));

  routes.post(`${securityPath}/factors/:id/remove`, { schema: { params: factorParams, body: csrfForm } }, async (request, reply) => {
    const session = await signedInPost(request, reply, request.body.csrf);
    if (!('uid' in session)) return session;
    const userId = session.accountId;
    const { level } = await deps.requirementFor({ userId, application: undefined });
    const keepOne = level !== 'unsupported' && atLeast(level, 'mfa');
    try {
      await services.mfa.factors.remove({ kind: 'user', userId }, userId, request.params.id, { keepOne });
    } catch (error) {
      if (keepOne && isGatehouseError(error) && error.code === 'conflict') return reply.redirect(`${securityPath}?notice=last`, 303);
      throw error;
    }
    return reply.redirect(`${securityPath}?notice=removed`, 303);
  });

  routes.post(`${securityPath}/passkeys/:id/rename`, { schema: { params: factorParams, body: renameForm } }, async (request, reply) => {
    const session = await signedInPost(request, reply, request.body.csrf);
    if (!('uid' in session)) return session;
    await deps.passkeys.rename(session.accountId, request.params.id, request.body.name);
    return reply.redirect(`${securityPath}?notice=renamed`, 303);
  });

  routes.post(`${securityPath}/recovery-codes`, { schema: { body: csrfForm } }, async (request, reply) => {
    const session = await signedInPost(request, reply, request.body.csrf);
    if (!('uid' in session)) return session;
    const userId = session.accountId;
    const enrolled = await services.mfa.factors.enrolled(userId);
    if (!enrolled.totp && enrolled.passkeys === 0) return reply.redirect(securityPath, 303);
    const codes = await services.mfa.recoveryCodes.generate({ kind: 'user', userId }, userId);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(recoveryCodesPage({ codes, next: { href: securityPath } }));
  });
};
