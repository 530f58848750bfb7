import { z } from 'zod';
import { defaults } from '../../config/defaults.js';
import { t } from '../../i18n/page-locale.js';
import type { OidcConnection } from '../../connections/connection.js';
import { connectionTestPage } from '../../views/connection-test-page.js';
import type { SignInRoutes } from '../sign-in-method.js';
import type { BrowserBinding } from '../detour/browser-binding.js';
import { connectionParams } from './callback-route.js';
import type { Depart } from './depart.js';
import { connectionUnavailable, sendFailure, sendRefusal } from '../detour/detour-failures.js';
import type { Detours } from '../detour/detours.js';
import type { SignedValues } from '../../crypto/signed-values.js';
import type { AccountDecision, UpstreamAccounts } from './upstream-accounts.js';
import { usernameOf } from './upstream-claims.js';


export interface TestRouteDeps {
  /** Signed with a key of Test connection's own: only the links it hands out start a test. */
  testLinks: SignedValues;
  connections: { find(id: string): Promise<OidcConnection | undefined> };
  depart: Depart;
  detours: Detours;
  accounts: UpstreamAccounts;
  binding: BrowserBinding;
}

/** The sign-in URL Test connection reports: a real round trip through the connection, ending on a page. */
export function testSignInUrl(testLinks: SignedValues, publicOrigin: string, connectionId: string): string {
  const token = testLinks.sign(connectionId, defaults.connections.testLinkSeconds);
  return `${publicOrigin}/login/oidc/${encodeURIComponent(connectionId)}/test?token=${encodeURIComponent(token)}`;
}

const testQuery = z.object({ token: z.string().max(1000).default('') });
const resultQuery = z.object({ state: z.string().min(1).max(200) });

/**
 * Test connection's round trip: the link departs like a sign-in, on a detour flagged as a test
 * (no interaction; a disabled connection too), and the callback sends the browser to the result
 * page instead of the hop back. The page shows the claims and the decision the sign-in would
 * take (upstream-accounts.ts decides without writing) and carries nothing out: no user, link
 * or session.
 */
export function registerTestRoutes(routes: SignInRoutes, { testLinks, connections, depart, detours, accounts, binding }: TestRouteDeps): void {
  routes.get('/login/oidc/:id/test', { schema: { params: connectionParams, querystring: testQuery } }, async (request, reply) => {
    const { id } = request.params;
    if (testLinks.open(request.query.token) !== id) {
      return sendFailure(reply, { code: 'test_link_invalid', message: t('connectionTest.linkInvalid') }, { uid: undefined });
    }
    const connection = await connections.find(id);
    if (!connection) return sendFailure(reply, connectionUnavailable(id), { uid: undefined });
    return depart(request, reply, { purpose: 'test', connection, uid: undefined, notAfter: undefined, loginHint: undefined });
  });

  routes.get('/login/oidc/:id/test/result', { schema: { params: connectionParams, querystring: resultQuery } }, async (request, reply) => {
    const taken = await detours.takeCompletion(request.query.state, binding.read(request), undefined);
    if (!taken.ok) return sendRefusal(reply, taken.refusal, taken.detour);
    const { identity, connectionId } = taken.detour;
    const connection = await connections.find(connectionId);
    if (!connection || !identity || connectionId !== request.params.id) return sendFailure(reply, connectionUnavailable(request.params.id), { uid: undefined });
    const decision = await accounts.decide(connection, { issuer: identity.issuer, subject: identity.subject }, identity.claims);
    return reply.type('text/html; charset=utf-8').send(connectionTestPage({
      connectionName: connection.name,
      issuer: identity.issuer,
      subject: identity.subject,
      usernameClaim: connection.usernameClaim,
      username: usernameOf(connection, identity.claims),
      outcome: describe(decision, connection),
      refused: decision.kind === 'refuse',
      claims: identity.claims,
    }));
  });
}

/** The decision in the page's language, then what would stop it anyway (a disabled account or connection). */
function describe(decision: AccountDecision, connection: OidcConnection): string {
  const disabled = connection.enabled ? [] : [t('connectionTest.outcome.connectionDisabled')];
  switch (decision.kind) {
    case 'linked': {
      const account = decision.user.disabled ? [t('connectionTest.outcome.accountDisabled')] : [];
      return [t('connectionTest.outcome.linked', { username: decision.user.username }), ...account, ...disabled].join(' ');
    }
    case 'link': {
      const key = decision.matchedBy === 'username' ? 'connectionTest.outcome.linkByUsername' : 'connectionTest.outcome.linkByEmail';
      return [t(key, { username: decision.user.username }), ...disabled].join(' ');
    }
    case 'provision':
      return [t('connectionTest.outcome.provision', { username: decision.user.username }), ...disabled].join(' ');
    case 'refuse':
      return t('connectionTest.outcome.refused', { reason: t(decision.reason.key, decision.reason.params) });
  }
}
