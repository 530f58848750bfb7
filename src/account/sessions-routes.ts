import { z } from 'zod';
import { consoleClientId } from '../oidc/console-client.js';
import { sessionClientId } from '../oidc/session-client.js';
import { accountApplicationsPage, type ApplicationItem } from '../views/account-applications-page.js';
import { accountSessionsPage } from '../views/account-sessions-page.js';
import { accountUser, csrfForm, noticeQuery, pageNotice, sendPage, withNotice, type AccountContext } from './account-context.js';
import { deviceName } from './device-name.js';
import { isSession } from './signed-in.js';

export const sessionsPath = '/account/sessions';
export const applicationsPath = '/account/applications';

const sessionParams = z.object({ uid: z.string().min(1).max(255) });
const clientParams = z.object({ clientId: z.string().min(1).max(255) });

/** Grants a person never gave on a consent page: their own sign-in to Gatehouse and to its console. */
const ownClients = new Set([sessionClientId, consoleClientId]);

/**
 * `/account/sessions`, the browsers signed in to the account (device, address, when signed in
 * and last active, this one marked), one signed out or all but this one; and
 * `/account/applications`, the applications the person consented to, one's access withdrawn.
 * Ending a session ends the grants of the applications signed in through it, so their refresh
 * tokens stop working; withdrawing an application's access ends its grants and every token of
 * them. Signing out everywhere else needs a sign-in of the last five minutes and tells the owner
 * by email.
 */
export function sessionsRoutes(context: AccountContext): void {
  const { routes, signedIn, deps, notifyOwner } = context;
  const { users, selfService } = deps.services;

  routes.get(sessionsPath, { schema: { querystring: noticeQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, sessionsPath);
    if (!isSession(session)) return reply;
    if (!(await accountUser(context, session))) return signedIn.signIn(reply, sessionsPath);
    const sessions = (await selfService.sessionsWithDevices(session.accountId)).map((item) => ({
      uid: item.uid, device: deviceName(item.userAgent), ipAddress: item.ipAddress, createdAt: item.createdAt, lastSeenAt: item.lastSeenAt ?? item.signedInAt,
      current: item.uid === session.uid,
    }));
    return sendPage(reply, accountSessionsPage({ csrfToken: signedIn.csrfToken(session), sessions, notice: pageNotice(request.query.notice) }));
  });

  routes.post(`${sessionsPath}/:uid/end`, { schema: { params: sessionParams, body: csrfForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, { returnTo: sessionsPath, fresh: false });
    if (!isSession(session)) return reply;
    // This browser's own session is left through sign-out, not here.
    const ended = request.params.uid !== session.uid && (await selfService.endOwnSession(session.accountId, request.params.uid));
    return reply.redirect(withNotice(sessionsPath, ended ? 'sessionEnded' : 'gone'), 303);
  });

  routes.post(`${sessionsPath}/end-others`, { schema: { body: csrfForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, { returnTo: sessionsPath, fresh: true });
    if (!isSession(session)) return reply;
    await selfService.endOtherSessions(session.accountId, session.uid);
    await notifyOwner(session.accountId, 'sessions_ended', request.log);
    return reply.redirect(withNotice(sessionsPath, 'othersEnded'), 303);
  });

  routes.get(applicationsPath, { schema: { querystring: noticeQuery } }, async (request, reply) => {
    const session = await signedIn.pageSession(request, reply, applicationsPath);
    if (!isSession(session)) return reply;
    if (!(await accountUser(context, session))) return signedIn.signIn(reply, applicationsPath);
    const byClient = new Map<string, ApplicationItem>();
    for (const grant of (await users.sessionsOf(session.accountId)).grants) {
      if (grant.clientId === undefined || ownClients.has(grant.clientId)) continue;
      const item = byClient.get(grant.clientId) ?? { clientId: grant.clientId, name: grant.clientId, scopes: [], since: grant.createdAt };
      item.scopes = [...new Set([...item.scopes, ...(grant.scope ?? '').split(' ').filter(Boolean)])];
      byClient.set(grant.clientId, item);
    }
    for (const item of byClient.values()) {
      const row = await deps.services.applications.find(item.clientId);
      const name = row ? (JSON.parse(row.metadata) as { client_name?: unknown }).client_name : undefined;
      if (typeof name === 'string' && name !== '') item.name = name;
    }
    return sendPage(reply, accountApplicationsPage({ csrfToken: signedIn.csrfToken(session), applications: [...byClient.values()], notice: pageNotice(request.query.notice) }));
  });

  routes.post(`${applicationsPath}/:clientId/revoke`, { schema: { params: clientParams, body: csrfForm } }, async (request, reply) => {
    const session = await signedIn.signedInPost(request, reply, request.body.csrf, { returnTo: applicationsPath, fresh: false });
    if (!isSession(session)) return reply;
    const revoked = !ownClients.has(request.params.clientId) && (await selfService.revokeOwnConsent(session.accountId, request.params.clientId));
    return reply.redirect(withNotice(applicationsPath, revoked ? 'appRevoked' : 'gone'), 303);
  });
}
