import * as oidc from 'openid-client';
import { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import { connectionUrls, type OidcConnection } from '../../connections/connection.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../db/database.js';
import { createUpstreamSessionQueries } from '../../db/queries/upstream-sessions.js';
import type { FederatedSessions } from '../../oidc/federated-sessions.js';
import type { Clock } from '../../runtime/clock.js';
import { t } from '../../i18n/page-locale.js';
import { messagePage } from '../../views/message-page.js';
import type { SignInRoutes } from '../sign-in-method.js';
import { connectionParams } from './callback-route.js';
import type { UpstreamConfiguration } from './depart.js';
import type { Detours } from '../detour/detours.js';
import type { SignedValues } from '../../crypto/signed-values.js';

export interface UpstreamLogoutDeps {
  db: Db;
  /** Seals the kept id_token: it names the user's upstream session for as long as the Gatehouse session lasts. */
  box: SecretBox;
  clock: Clock;
  detours: Detours;
  connections: { find(id: string): Promise<OidcConnection | undefined> };
  upstream: UpstreamConfiguration;
  publicOrigin: string;
  /** Signed with a key of the logout's own: the return leads only where the engine was sending the browser. */
  logoutReturns: SignedValues;
}

/** Bound to its row: a sealed id_token cannot be moved to another session's. */
const sealContext = (sessionUid: string) => `upstream_sessions ${sessionUid} id_token`;

const returnSchema = z.object({ connectionId: z.string(), next: z.string().url() });

/**
 * Ending the upstream session when a session that came from it ends at Gatehouse (issue 15,
 * point 5). What the upstream's end_session_endpoint needs, its id_token as id_token_hint, is
 * kept per engine session (upstream_sessions, by the session's uid): the engine's session is all
 * a logout has, and its uid names exactly the browser's session, whichever connection and
 * whichever other browsers the user signed in with; the session's amr says whether its latest
 * login was federated at all. At logout the browser goes to the upstream with the hint,
 * Gatehouse's post-logout URI for the connection and a signed state naming where the engine was
 * sending it (the application's post_logout_redirect_uri, or Gatehouse's signed-out page), and
 * the signed-out route sends it on there.
 */
export function createUpstreamLogout({ db, box, clock, detours, connections, upstream, publicOrigin, logoutReturns }: UpstreamLogoutDeps) {
  const sessions = createUpstreamSessionQueries(db);

  const federatedSessions: FederatedSessions = {
    async loggedIn({ interactionUid, sessionUid, amr }) {
      if (!amr.includes('fed')) return;
      const detour = await detours.completedFor(interactionUid);
      // A partner's (JWT) sign-in has no upstream session to end.
      if (!detour?.identity?.idToken) return;
      await sessions.save({
        session_uid: sessionUid,
        connection_id: detour.connectionId,
        id_token: box.seal(detour.identity.idToken, sealContext(sessionUid)),
        expires_at: clock.now() + defaults.ttl.session * 1000,
      });
    },

    async loggedOut({ sessionUid, amr, next }) {
      if (!amr.includes('fed')) return undefined;
      const kept = await sessions.find(sessionUid, clock.now());
      if (!kept) return undefined;
      await sessions.remove(sessionUid);
      const connection = await connections.find(kept.connection_id);
      if (!connection) return undefined;
      const configuration = await upstream(connection);
      if (!configuration.serverMetadata().end_session_endpoint) return undefined;
      // The state outlives a browser's stay at the upstream's sign-out page as a detour does a sign-in.
      const state = logoutReturns.sign(JSON.stringify({ connectionId: connection.id, next }), defaults.connections.detourSeconds);
      return oidc.buildEndSessionUrl(configuration, {
        id_token_hint: box.open(kept.id_token, sealContext(sessionUid)),
        post_logout_redirect_uri: connectionUrls(publicOrigin, connection.id).postLogoutRedirectUri,
        state,
      }).href;
    },
  };

  /** `/login/oidc/{id}/signed-out`: back from the upstream's logout, on to where the engine was sending the browser. */
  function registerSignedOutRoute(routes: SignInRoutes): void {
    routes.get('/login/oidc/:id/signed-out', { schema: { params: connectionParams, querystring: z.object({ state: z.string().max(4000).default('') }) } }, async (request, reply) => {
      const opened = logoutReturns.open(request.query.state);
      const parsed = opened === undefined ? undefined : returnSchema.safeParse(JSON.parse(opened));
      if (parsed?.success && parsed.data.connectionId === request.params.id) return reply.redirect(parsed.data.next, 303);
      // No state, or not ours: the user is signed out all the same.
      return reply.type('text/html; charset=utf-8').send(messagePage(t('signedOut.title'), t('signedOut.message')));
    });
  }

  return { federatedSessions, registerSignedOutRoute };
}
