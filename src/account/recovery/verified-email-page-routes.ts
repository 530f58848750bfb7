import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import type { SignedValues } from '../../crypto/signed-values.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import { useLocale } from '../../http/locale.js';
import { t } from '../../i18n/page-locale.js';
import { interactionRoute } from '../../oidc/interaction-path.js';
import type { SignInRoutes } from '../../sign-in/sign-in-method.js';
import { verifiedEmailPath, type VerifiedEmailTicket } from '../../sign-in/verified-email-step.js';
import { messagePage } from '../../views/message-page.js';
import { verifyRequiredPage } from '../../views/verify-required-page.js';
import { csrfForm, sendPage } from '../account-context.js';
import { mailContextOf, type RecoveryContext } from './recovery-context.js';

const params = z.object({ uid: z.string().min(1).max(200) });
const query = z.object({ ticket: z.string().max(2000).default('') });

/**
 * The page a sign-in stops at when its application requires a verified email address
 * (src/sign-in/verified-email-step.ts): inside the interaction, for the user its signed ticket
 * names. It offers the verification link (rate-limited per account, as on /account/email); a user
 * without an address is told to ask an administrator.
 */
export function registerVerifiedEmailPageRoutes(routes: SignInRoutes, context: RecoveryContext, tickets: SignedValues): void {
  const { deps, limits, mail } = context;
  const { services, csrf } = deps;
  const path = `${interactionRoute}/verified-email`;

  /** The page's own address and who it is about, from its ticket. */
  async function whoIs({ uid, ticket: value }: { uid: string; ticket: string }) {
    const opened = tickets.open(value);
    const ticket = opened === undefined ? undefined : (JSON.parse(opened) as VerifiedEmailTicket);
    if (!ticket || ticket.uid !== uid) return undefined;
    const user = await services.users.findById(ticket.userId);
    if (!user) return undefined;
    const application = await services.applications.findClientMetadata(ticket.clientId);
    useLocale({ userLocale: user.profile.locale });
    return { ticket, user, applicationName: application?.client_name ?? ticket.clientId, action: `${verifiedEmailPath(uid)}?ticket=${encodeURIComponent(value)}` };
  }

  const expired = (reply: FastifyReply) => sendPage(reply, messagePage(t('recovery.required.title'), t('recovery.link.verifyInvalid')), 400);
  const csrfSubject = (ticket: VerifiedEmailTicket) => `verified-email:${ticket.uid}:${ticket.userId}`;

  routes.get(path, { schema: { params, querystring: query } }, async (request, reply) => {
    const who = await whoIs({ uid: request.params.uid, ticket: request.query.ticket });
    if (!who) return expired(reply);
    const { user, ticket, applicationName, action } = who;
    return sendPage(reply, verifyRequiredPage({ applicationName, email: user.email, action, csrfToken: csrf.tokenFor(csrfSubject(ticket)) }), user.email === undefined ? 403 : 200);
  });

  routes.post(path, { schema: { params, querystring: query, body: csrfForm } }, async (request, reply) => {
    const who = await whoIs({ uid: request.params.uid, ticket: request.query.ticket });
    if (!who) return expired(reply);
    const { user, ticket, applicationName } = who;
    csrf.verify(request, csrfSubject(ticket), request.body.csrf);
    const { email } = user;
    const model = { applicationName, email, csrfToken: csrf.tokenFor(csrfSubject(ticket)) };
    if (email === undefined) return sendPage(reply, verifyRequiredPage(model), 403);
    const answer = await limits.admit(`links:${user.id}`, defaults.recovery.linksPerAccount);
    if (!answer.admitted) return sendPage(reply, verifyRequiredPage({ ...model, notice: { text: t('recovery.notice.wait', { minutes: answer.waitMinutes }), error: true } }), 429);
    try {
      await mail.verification({ ...user, email }, mailContextOf(user));
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'email_not_configured') {
        return sendPage(reply, verifyRequiredPage({ ...model, notice: { text: t('recovery.notice.noMail'), error: true } }), 503);
      }
      throw error;
    }
    return sendPage(reply, verifyRequiredPage({ ...model, notice: { text: t('recovery.required.sent', { email }), error: false } }));
  });
}
