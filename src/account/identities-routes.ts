import { z } from 'zod';
import { isGatehouseError } from '../errors/gatehouse-error.js';
import { accountIdentitiesPage } from '../views/account-identities-page.js';
import { accountUser, csrfForm, noticeQuery, pageNotice, sendPage, withNotice, type AccountContext } from './account-context.js';
import { isSession } from './signed-in.js';

export const identitiesPath = '/account/identities';

const unlinkForm = csrfForm.extend({ issuer: z.string().min(1).max(2048), subject: z.string().min(1).max(1024) });

/** An issuer as a person reads it: its host, else the issuer as given (a partner's may be any string). */
function providerName(issuer: string): string {
  try {
    return new URL(issuer).host || issuer;
  } catch {
    return issuer;
  }
}

/**
 * `/account/identities`: the sign-ins through upstream providers and partners linked to the
 * account. Unlinking one needs a sign-in of the last five minutes, is refused when it is the
 * last way in (no password, no passkey, no other linked sign-in through an enabled connection;
 * identity-service.ts checks it in the unlink's transaction), is recorded as
 * `identity.unlinked` by the user, and tells the owner by email.
 */
export function identitiesRoutes(context: AccountContext): void {
  const { routes, signedIn, deps, notifyOwner } = context;
  const { identities } = deps.services;

  routes.get(identitiesPath, { schema: { querystring: noticeQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, identitiesPath);
    if (!isSession(session)) return reply;
    if (!(await accountUser(context, session))) return signedIn.signIn(reply, identitiesPath);
    const linked = (await identities.listFor(session.accountId)).map((row) => ({ issuer: row.issuer, subject: row.subject, provider: providerName(row.issuer), linkedAt: row.created_at }));
    return sendPage(reply, accountIdentitiesPage({ csrfToken: signedIn.csrfToken(session), identities: linked, notice: pageNotice(request.query.notice) }));
  });

  routes.post(`${identitiesPath}/unlink`, { schema: { body: unlinkForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, { returnTo: identitiesPath, fresh: true });
    if (!isSession(session)) return reply;
    const user = await accountUser(context, session);
    if (!user) return signedIn.signIn(reply, identitiesPath);
    const { issuer, subject } = request.body;
    let unlinked: boolean;
    try {
      unlinked = await identities.unlink({ kind: 'user', userId: user.id }, user.id, { issuer, subject }, { keepWayIn: true });
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'conflict') return reply.redirect(withNotice(identitiesPath, 'lastMethod'), 303);
      throw error;
    }
    if (unlinked) await notifyOwner(user.id, 'identity_unlinked', request.log, { issuer });
    return reply.redirect(withNotice(identitiesPath, unlinked ? 'unlinked' : 'gone'), 303);
  });
}
