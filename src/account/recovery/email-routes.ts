import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import type { AccountTokenPurpose } from '../../db/database.js';
import type { AccountTokenRow } from '../../db/queries/account-tokens.js';
import { isGatehouseError } from '../../errors/gatehouse-error.js';
import { useLocale } from '../../http/locale.js';
import { t } from '../../i18n/page-locale.js';
import type { CurrentSession } from '../../oidc/current-session.js';
import type { SignInRoutes } from '../../sign-in/sign-in-method.js';
import { normalizeIdentifier } from '../../users/normalize.js';
import type { User } from '../../users/user.js';
import { emailLinkPage, emailPage, emailPagePath } from '../../views/email-page.js';
import { html } from '../../views/html.js';
import { messagePage } from '../../views/message-page.js';
import { csrfForm, sendPage } from '../account-context.js';
import { isSession } from '../signed-in.js';
import { mailContextOf, type RecoveryContext } from './recovery-context.js';
import { changePath, verifyPath } from './recovery-mail.js';

const changeForm = csrfForm.extend({ email: z.string().max(400).default('') });
const pageQuery = z.object({ notice: z.enum(['fresh']).optional() });
const tokenParams = z.object({ token: z.string().max(200) });
const linkForm = csrfForm.extend({ token: z.string().max(200).default('') });
const address = z.email().max(320);

type Notice = { text: string; error: boolean };
type LinkPurpose = Extract<AccountTokenPurpose, 'verify_email' | 'change_email'>;

/**
 * `/account/email` (signed in): the address and whether it is verified, a verification link
 * (rate-limited per account), and a change of address, which needs a sign-in of the last five
 * minutes and happens only when the link sent to the new address is followed; the old address is
 * then told. Asking for a change answers "link sent" for any well-formed new address, taken or
 * not: whether an address has an account is said only to whoever reads that mailbox. `/email/verify/{token}` and `/email/change/{token}` are those links: opening one
 * shows the address and a button, whose post (the token in the form) uses the link, once.
 */
export function registerEmailRoutes(routes: SignInRoutes, context: RecoveryContext): void {
  const { deps, tokens, limits, mail, signedIn, linkCsrf } = context;
  const { services } = deps;

  async function show(reply: FastifyReply, session: CurrentSession, user: User, notice?: Notice, status = 200) {
    useLocale({ userLocale: user.profile.locale, switcherTarget: emailPagePath });
    return sendPage(reply, emailPage({ csrfToken: signedIn.csrfToken(session), email: user.email, verified: user.profile.email_verified === true, ...(notice ? { notice } : {}) }), status);
  }

  /** The signed-in user of a post, or the reply that sends the browser to sign in first. */
  async function poster(request: FastifyRequest, reply: FastifyReply, submitted: string | undefined, fresh: boolean): Promise<{ session: CurrentSession; user: User } | { reply: FastifyReply }> {
    const session = await signedIn.signedInPost(request, reply, submitted, { returnTo: emailPagePath, fresh });
    if (!isSession(session)) return { reply };
    const user = await services.users.findById(session.accountId);
    if (!user) return { reply: await signedIn.signIn(reply, emailPagePath) };
    useLocale({ userLocale: user.profile.locale, switcherTarget: emailPagePath });
    return { session, user };
  }

  /** Queues a link message; no SMTP settings is said on the page, nothing pretends it was sent. */
  async function queued(work: () => Promise<void>, sent: string): Promise<Notice> {
    try {
      await work();
      return { text: sent, error: false };
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'email_not_configured') return { text: t('recovery.notice.noMail'), error: true };
      throw error;
    }
  }

  const admitted = async (userId: string): Promise<Notice | undefined> => {
    const answer = await limits.admit(`links:${userId}`, defaults.recovery.linksPerAccount);
    return answer.admitted ? undefined : { text: t('recovery.notice.wait', { minutes: answer.waitMinutes }), error: true };
  };

  routes.get(emailPagePath, { schema: { querystring: pageQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, emailPagePath);
    if (!isSession(session)) return reply;
    const user = await services.users.findById(session.accountId);
    if (!user) return signedIn.signIn(reply, emailPagePath);
    return show(reply, session, user, request.query.notice ? { text: t('recovery.notice.fresh'), error: false } : undefined);
  });

  routes.post(`${emailPagePath}/verify`, { schema: { body: csrfForm } }, async (request, reply) => {
    const who = await poster(request, reply, request.body.csrf, false);
    if ('reply' in who) return who.reply;
    const { session, user } = who;
    const { email } = user;
    if (email === undefined || user.profile.email_verified === true) return show(reply, session, user);
    if (!(await mail.available())) return show(reply, session, user, { text: t('recovery.notice.noMail'), error: true }, 503);
    const refused = await admitted(user.id);
    if (refused) return show(reply, session, user, refused, 429);
    const hours = defaults.recovery.verifyLinkSeconds / 3600;
    return show(reply, session, user, await queued(() => mail.verification({ ...user, email }, mailContextOf(user)), t('recovery.notice.verifySent', { email, hours })));
  });

  routes.post(`${emailPagePath}/change`, { schema: { body: changeForm } }, async (request, reply) => {
    const who = await poster(request, reply, request.body.csrf, true);
    if ('reply' in who) return who.reply;
    const { session, user } = who;
    const parsed = address.safeParse(request.body.email.trim());
    if (!parsed.success) return show(reply, session, user, { text: t('recovery.notice.invalid'), error: true }, 400);
    const email = normalizeIdentifier(parsed.data);
    if (email === user.email) return show(reply, session, user, { text: t('recovery.notice.same'), error: true }, 400);
    if (!(await mail.available())) return show(reply, session, user, { text: t('recovery.notice.noMail'), error: true }, 503);
    const refused = await admitted(user.id);
    if (refused) return show(reply, session, user, refused, 429);
    const hours = defaults.recovery.verifyLinkSeconds / 3600;
    return show(reply, session, user, await queued(() => mail.changeConfirmation(user, email, mailContextOf(user)), t('recovery.notice.changeSent', { email, hours })));
  });

  const invalidLink = (reply: FastifyReply) => sendPage(reply, messagePage(t('recovery.link.invalidTitle'), t('recovery.link.verifyInvalid'),
    html`<p><a class="button" href="${emailPagePath}">${t('recovery.link.emailPage')}</a></p>`), 410);

  /** The link's row and account while it would work; a verification link also needs the account to still have the address it was sent to. */
  async function usable(row: AccountTokenRow | undefined, purpose: LinkPurpose): Promise<{ row: AccountTokenRow; user: User } | undefined> {
    const user = row && (await services.users.findById(row.user_id));
    if (!row || !user || !tokens.stillValid(row, user)) return undefined;
    if (purpose === 'verify_email' && user.email !== row.email) return undefined;
    return { row, user };
  }

  /** Opening a link only shows its address and a button: a mail scanner fetching it uses nothing up. */
  for (const [purpose, path] of [['verify_email', verifyPath], ['change_email', changePath]] as const) {
    routes.get(`${path}/:token`, { schema: { params: tokenParams } }, async (request, reply) => {
      const { token } = request.params;
      const link = await usable(await tokens.peek(token, purpose), purpose);
      if (!link) return invalidLink(reply);
      useLocale({ userLocale: link.user.profile.locale });
      const csrfToken = linkCsrf.tokenFor(request, reply);
      return sendPage(reply, emailLinkPage({ purpose: purpose === 'verify_email' ? 'verify' : 'change', action: path, token, csrfToken, email: link.row.email }));
    });
  }

  routes.post(verifyPath, { schema: { body: linkForm } }, async (request, reply) => {
    linkCsrf.verify(request, request.body.csrf);
    const link = await usable(await tokens.redeem(request.body.token, 'verify_email'), 'verify_email');
    if (!link) return invalidLink(reply);
    const { row, user } = link;
    useLocale({ userLocale: user.profile.locale });
    await services.users.updateUser({ kind: 'user', userId: user.id }, user.id, (current) =>
      (current.email === row.email ? { profile: { ...current.profile, email_verified: true } } : {}));
    return sendPage(reply, messagePage(t('recovery.verify.doneTitle'), t('recovery.verify.done', { email: row.email }), '', { languageSwitch: false }));
  });

  routes.post(changePath, { schema: { body: linkForm } }, async (request, reply) => {
    linkCsrf.verify(request, request.body.csrf);
    const link = await usable(await tokens.redeem(request.body.token, 'change_email'), 'change_email');
    if (!link) return invalidLink(reply);
    const { row, user } = link;
    useLocale({ userLocale: user.profile.locale });
    let oldEmail: string | undefined;
    try {
      await services.users.updateUser({ kind: 'user', userId: user.id }, user.id, (current) => {
        oldEmail = current.email;
        return { email: row.email, profile: { ...current.profile, email_verified: true } };
      });
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'conflict') {
        return sendPage(reply, messagePage(t('recovery.link.invalidTitle'), t('recovery.change.taken', { email: row.email }), '', { languageSwitch: false }), 409);
      }
      throw error;
    }
    // A reset link in the old mailbox must not outlive the change.
    await tokens.voidAll(user.id, 'reset_password');
    if (oldEmail !== undefined && oldEmail !== row.email) {
      try {
        await mail.addressChanged(user, oldEmail, row.email, mailContextOf(user));
      } catch (error) {
        if (!isGatehouseError(error) || error.code !== 'email_not_configured') throw error;
      }
    }
    return sendPage(reply, messagePage(t('recovery.change.doneTitle'), t('recovery.change.done', { email: row.email }), '', { languageSwitch: false }));
  });
}
