import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import { t } from '../../i18n/page-locale.js';
import type { SignInRoutes } from '../../sign-in/sign-in-method.js';
import { checkPasswordPolicy, PasswordPolicyError } from '../../users/password-policy.js';
import { csrfForm, sendPage } from '../account-context.js';
import { html } from '../../views/html.js';
import { forgotPasswordPage } from '../../views/forgot-password-page.js';
import { messagePage } from '../../views/message-page.js';
import { resetPasswordPage } from '../../views/reset-password-page.js';
import { passwordRuleText } from './password-rule-text.js';
import { mailContextOf, type RecoveryContext } from './recovery-context.js';
import { resetPath } from './recovery-mail.js';

const forgotPath = '/password/forgot';
const forgotForm = csrfForm.extend({ identifier: z.string().max(320).default('') });
const resetForm = csrfForm.extend({ password: z.string().max(4096).default(''), confirm: z.string().max(4096).default('') });
const tokenParams = z.object({ token: z.string().max(200) });

/**
 * Forgot password: `/password/forgot` asks for an address or user name and answers the same
 * page, status and body whoever it names; the lookup, the per-account limit and the message are
 * done once the answer has been sent, so that its timing does not tell either. The link opens
 * `/password/reset/{token}` (30 minutes, single use, voided by a newer link or a password change);
 * a reset uses the link, sets the password and ends every session, grant and token of the account
 * in one transaction, and signs nobody in.
 */
export function registerPasswordResetRoutes(routes: SignInRoutes, context: RecoveryContext): void {
  const { deps, tokens, limits, mail, formCsrf, background } = context;
  const { services } = deps;

  const unavailable = (reply: FastifyReply) => sendPage(reply, messagePage(t('recovery.forgot.title'), t('recovery.forgot.unavailable')), 503);
  const invalidLink = (reply: FastifyReply) => sendPage(reply, messagePage(t('recovery.link.invalidTitle'), t('recovery.link.resetInvalid'),
    html`<p><a class="button" href="${forgotPath}">${t('recovery.link.newReset')}</a></p>`), 410);

  /** After the answer: the same for every identifier until here, so nothing in the answer depends on what follows. */
  async function sendLinkFor(identifier: string, request: FastifyRequest): Promise<void> {
    const user = await services.users.findByIdentifier(identifier);
    if (!user || user.disabled || user.email === undefined) return;
    if (!(await limits.admit(`reset:account:${user.id}`, defaults.recovery.resetsPerAccount)).admitted) return;
    try {
      await mail.reset({ ...user, email: user.email }, mailContextOf(user));
    } catch (error) {
      request.log.warn({ err: error }, 'a password reset link could not be queued');
    }
  }

  routes.get(forgotPath, async (request, reply) => {
    if (!(await mail.available())) return unavailable(reply);
    return sendPage(reply, forgotPasswordPage({ csrfToken: formCsrf.tokenFor(request, reply) }));
  });

  routes.post(forgotPath, { schema: { body: forgotForm } }, async (request, reply) => {
    formCsrf.verify(request, request.body.csrf);
    if (!(await mail.available())) return unavailable(reply);
    const identifier = request.body.identifier.trim();
    if (identifier === '') return sendPage(reply, forgotPasswordPage({ csrfToken: formCsrf.tokenFor(request, reply) }), 400);
    const byAddress = await limits.admit(`reset:address:${request.clientIp}`, defaults.recovery.resetsPerAddress);
    if (!byAddress.admitted) {
      const error = t('recovery.forgot.tooMany', { minutes: byAddress.waitMinutes });
      return sendPage(reply, forgotPasswordPage({ csrfToken: formCsrf.tokenFor(request, reply), error }), 429);
    }
    background.afterAnswer(reply, () => sendLinkFor(identifier, request), (error) => request.log.error({ err: error }, 'a password reset request failed'));
    return sendPage(reply, messagePage(t('recovery.forgot.sentTitle'), t('recovery.forgot.sent', { minutes: defaults.recovery.resetLinkSeconds / 60 })));
  });

  routes.get(`${resetPath}/:token`, { schema: { params: tokenParams } }, async (request, reply) => {
    const row = await tokens.peek(request.params.token, 'reset_password');
    const user = row && (await services.users.findById(row.user_id));
    if (!row || !user || !tokens.stillValid(row, user)) return invalidLink(reply);
    return sendPage(reply, resetPasswordPage({ action: `${resetPath}/${request.params.token}`, csrfToken: formCsrf.tokenFor(request, reply), username: user.username }));
  });

  routes.post(`${resetPath}/:token`, { schema: { params: tokenParams, body: resetForm } }, async (request, reply) => {
    formCsrf.verify(request, request.body.csrf);
    const { token } = request.params;
    const peeked = await tokens.peek(token, 'reset_password');
    const user = peeked && (await services.users.findById(peeked.user_id));
    if (!peeked || !user || !tokens.stillValid(peeked, user)) return invalidLink(reply);
    const again = (error: string) => sendPage(reply, resetPasswordPage({ action: `${resetPath}/${token}`, csrfToken: formCsrf.tokenFor(request, reply), username: user.username, error }), 400);
    const { password, confirm } = request.body;
    if (password !== confirm) return again(t('recovery.reset.mismatch'));
    try {
      checkPasswordPolicy(password, services.deps.security);
    } catch (error) {
      if (error instanceof PasswordPolicyError) return again(passwordRuleText(error.broken));
      throw error;
    }
    // Checked above to answer a mistake with the form; used up here, once, whoever else submits it now, with the change.
    const current = await services.selfService.resetPassword(user.id, password, async (trx, stored) => {
      const row = await tokens.redeem(token, 'reset_password', trx);
      return row !== undefined && row.user_id === stored.id && tokens.stillValid(row, stored);
    }, request.clientIp);
    if (!current) return invalidLink(reply);
    if (current.email !== undefined) {
      try {
        await mail.passwordWasReset({ ...current, email: current.email }, mailContextOf(current));
      } catch (error) {
        if (!isGatehouseError(error) || error.code !== 'email_not_configured') throw error;
      }
    }
    return sendPage(reply, messagePage(t('recovery.reset.doneTitle'), t('recovery.reset.done'), '', { languageSwitch: false }));
  });
}
