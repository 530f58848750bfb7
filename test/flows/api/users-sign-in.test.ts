/*
 * The users resource of the management API and signing in: a password set through the API
 * signs in at once and the old one stops; disabling refuses the user and ends its tokens;
 * unlocking lifts a lockout; a user's sessions and grants are listed without any token or
 * cookie and end at once; linked identities are listed and unlinked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { offline, signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { postToken } from '../../helpers/token-endpoint.js';
import { auditEvents, wholeTableAsText } from '../audit/steps.js';

/** An application that signs users in through the pages and with the password grant, with refresh tokens. */
const legacy = {
  client_id: 'legacy',
  client_secret: secretOf('legacy'),
  token_endpoint_auth_method: 'client_secret_post',
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code', 'password', 'refresh_token'],
  scope: 'openid profile offline_access',
};

const declarations = { applications: [automation, legacy], security: { lockout_threshold: 3 } };

const asLegacy = { client_id: legacy.client_id, client_secret: legacy.client_secret };

for (const dialect of dialects) {
  describe(`users through the management API, signing in (${dialect})`, () => {
    let server: TestServer;
    let api: ApiClient;

    before(async () => {
      server = await startServer({ declarations, dialect });
      api = apiClient(server, await machineToken(server));
    });
    after(() => server?.close());

    const passwordGrant = (username: string, password: string) =>
      postToken(server, { grant_type: 'password', username, password, scope: 'openid offline_access', ...asLegacy });
    const refresh = (refreshToken: string) => postToken(server, { grant_type: 'refresh_token', refresh_token: refreshToken, ...asLegacy });

    /** A new user through the API, its id returned. */
    async function createUser(body: Record<string, unknown>): Promise<string> {
      const answer = await api.post('/users', body);
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return answer.body.id as string;
    }

    test('a password set through the API signs in at once, the old one is refused, and neither is echoed or recorded', async () => {
      const [first, second] = ['henry keeps the first password', 'henry chose a second password'];
      const id = await createUser({ username: 'henry' });
      assert.equal((await api.get(`/users/${id}`)).body.has_password, false);
      assert.equal((await passwordGrant('henry', first)).body.error, 'invalid_grant', 'no password, no sign-in');

      for (const password of [first, second]) {
        const set = await api.post(`/users/${id}/password`, { password });
        assert.deepEqual([set.status, set.body], [204, '']);
      }
      assert.equal((await passwordGrant('henry', first)).body.error, 'invalid_grant');
      assert.equal((await passwordGrant('henry', second)).status, 200);
      assert.equal((await api.get(`/users/${id}`)).body.has_password, true);

      const weak = await api.post(`/users/${id}/password`, { password: 'short' });
      assert.deepEqual([weak.status, weak.body.code, weak.body.details[0].path], [400, 'password_policy', 'body.password']);
      assert.equal((await passwordGrant('henry', second)).status, 200, 'a refused password changes nothing');
      assert.equal((await api.post('/users/no-such-user/password', { password: second })).status, 404);

      await server.audit.flush();
      const table = await wholeTableAsText(server.services.deps.db);
      assert.ok(table.includes('user.password_set'));
      for (const password of [first, second]) assert.ok(!table.includes(password), 'a password reached the audit log');
    });

    test('disabling refuses the user and stops its refresh token at once; enabling lets it sign in again', async () => {
      const password = 'ivy grows along the wall';
      const id = await createUser({ username: 'ivy', password });
      const signedIn = await passwordGrant('ivy', password);
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      assert.equal((await refresh(signedIn.body.refresh_token as string)).status, 200, 'the refresh token works before');
      const { refresh_token: rotated } = (await passwordGrant('ivy', password)).body;

      const disabled = await api.post(`/users/${id}/disable`);
      assert.deepEqual([disabled.status, disabled.body.disabled], [200, true]);
      assert.equal((await refresh(rotated as string)).body.error, 'invalid_grant');
      assert.equal((await passwordGrant('ivy', password)).body.error, 'invalid_grant');

      const enabled = await api.post(`/users/${id}/enable`);
      assert.deepEqual([enabled.status, enabled.body.disabled], [200, false]);
      assert.equal((await passwordGrant('ivy', password)).status, 200);
    });

    test('unlocking lifts the lock failed sign-ins put on a user at once', async () => {
      const password = 'jack jumps over the candle';
      const id = await createUser({ username: 'jack', password });
      for (let attempt = 0; attempt < 3; attempt += 1) assert.equal((await passwordGrant('jack', 'not the password at all')).body.error, 'invalid_grant');
      assert.equal((await passwordGrant('jack', password)).body.error, 'invalid_grant', 'locked: the right password is refused too');

      assert.deepEqual((await api.post(`/users/${id}/unlock`)).body, { lifted: true });
      assert.equal((await passwordGrant('jack', password)).status, 200);
      assert.deepEqual((await api.post(`/users/${id}/unlock`)).body, { lifted: false }, 'nothing left to lift');
      assert.equal((await api.post('/users/no-such-user/unlock')).body.code, 'user_not_found');
    });

    test('a user\'s sessions and grants are listed without any token or cookie, and ending them stops its refresh tokens at once', async () => {
      const password = 'kate reads by lamplight';
      const id = await createUser({ username: 'kate', password });
      const rp = await oidc.discovery(new URL(server.issuer), legacy.client_id, legacy.client_secret, undefined, insecure);
      const viaPages = await signIn(server, rp, offline.scope, { params: offline.params, credentials: { username: 'kate', password } });
      const viaGrant = (await passwordGrant('kate', password)).body;

      const listed = await api.get(`/users/${id}/sessions`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.equal(listed.body.sessions.length, 1, 'the browser\'s session');
      const [session] = listed.body.sessions;
      assert.deepEqual([session.client_ids, session.amr], [['legacy'], ['pwd']]);
      assert.ok(Date.parse(session.expires_at) > Date.now() && Date.parse(session.signed_in_at) <= Date.now());
      const grants = listed.body.grants.map((grant: { client_id: string; scope: string }) => `${grant.client_id}: ${grant.scope.split(' ').sort().join(' ')}`);
      assert.deepEqual(grants.sort(), ['legacy: offline_access openid', 'legacy: offline_access openid profile'], 'one grant per sign-in');

      const stored = await server.services.deps.db.selectFrom('oidc_models').select(['model', 'id']).where('account_id', '=', id).execute();
      const secrets = [viaPages.access_token, viaPages.refresh_token, viaGrant.access_token, viaGrant.refresh_token, ...stored.filter((row) => row.model !== 'Grant').map((row) => row.id)];
      assert.ok(stored.some((row) => row.model === 'Session'));
      for (const secret of secrets) assert.ok(typeof secret === 'string' && !JSON.stringify(listed.body).includes(secret), 'no token, code or session cookie is shown');

      const ended = await api.delete(`/users/${id}/sessions`);
      assert.equal(ended.status, 204);
      for (const refreshToken of [viaPages.refresh_token, viaGrant.refresh_token]) assert.equal((await refresh(refreshToken as string)).body.error, 'invalid_grant');
      assert.deepEqual((await api.get(`/users/${id}/sessions`)).body, { sessions: [], grants: [] });
      const [event] = (await auditEvents(server, 'session.ended')).filter((row) => row.user_id === id);
      assert.deepEqual([event?.actor_kind, event?.actor_id], ['api', 'client:automation']);
      assert.equal((await passwordGrant('kate', password)).status, 200, 'the user itself is untouched');
      assert.equal((await api.delete('/users/no-such-user/sessions')).body.code, 'user_not_found');
    });

    test('linked identities are listed and unlinked, one by one, only from the user they belong to', async () => {
      const id = await createUser({ username: 'liam' });
      const other = await createUser({ username: 'mona' });
      const upstream = { issuer: 'https://idp.example.test/tenant/1', subject: 'auth0|liam/42?x=y' };
      const partner = { issuer: 'https://partner.example.test', subject: 'liam' };
      for (const identity of [upstream, partner]) assert.ok(await server.services.identities.link({ kind: 'system', reason: 'test' }, id, identity));

      const listed = await api.get(`/users/${id}/identities`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.deepEqual(listed.body.items.map(({ issuer, subject }: { issuer: string; subject: string }) => ({ issuer, subject })), [upstream, partner]);
      const upstreamId = listed.body.items[0].id as string;
      assert.match(upstreamId, /^[A-Za-z0-9_-]+$/, 'one URL path segment');

      assert.equal((await api.delete(`/users/${other}/identities/${upstreamId}`)).status, 404, 'not mona\'s to unlink');
      assert.equal((await api.delete(`/users/${id}/identities/${upstreamId}`)).status, 204);
      assert.equal(await server.services.identities.userFor(upstream, { action: 'refuse' }), undefined, 'it no longer signs in as liam');
      assert.equal((await server.services.identities.userFor(partner, { action: 'refuse' }))?.username, 'liam', 'the other link stays');
      assert.deepEqual((await api.get(`/users/${id}/identities`)).body.items.map((item: { issuer: string }) => item.issuer), [partner.issuer]);
      for (const identityId of [upstreamId, 'not-an-identity']) assert.equal((await api.delete(`/users/${id}/identities/${identityId}`)).status, 404);
      assert.equal((await api.get('/users/no-such-user/identities')).status, 404);
    });
  });
}
