/*
 * What the protocol engine does for users and applications, in the audit log: tokens issued per
 * grant type (and by the implicit response types), consent given and revoked, and a logout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, expectRedirect, readForm } from '../../helpers/browser.js';
import { callbackFor } from '../../helpers/sign-in.js';
import { offline, signIn, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { basicAuth, postToken } from '../../helpers/token-endpoint.js';
import { coreDeclarations, postLogoutRedirectUri } from '../core/fixtures.js';
import { eventsOf, oneEventOf } from './steps.js';

/** The core fixtures, with an application that uses the password grant and one that uses the implicit flow. */
const declarations = {
  ...coreDeclarations,
  applications: [
    ...coreDeclarations.applications,
    { client_id: 'legacy', client_secret: secretOf('legacy'), grant_types: ['password', 'refresh_token'], response_types: [] },
    {
      client_id: 'implicit', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri],
      grant_types: ['implicit'], response_types: ['id_token token'],
    },
  ],
};

for (const dialect of dialects) {
  describe(`the engine's work in the audit log (${dialect})`, () => {
    let server: TestServer;
    let web: oidc.Configuration;
    let m2m: oidc.Configuration;
    let aliceId: string;

    before(async () => {
      server = await startServer({ declarations, dialect });
      const issuer = new URL(server.issuer);
      [web, m2m] = await Promise.all([
        oidc.discovery(issuer, 'web', secretOf('web'), undefined, insecure),
        oidc.discovery(issuer, 'm2m', secretOf('m2m'), undefined, insecure),
      ]);
      aliceId = (await server.services.users.findByUsername('alice'))!.id;
    });
    after(() => server?.close());

    test('client credentials: one token.issued, the application its actor, no user, the scope and the kinds of token', async () => {
      const event = await oneEventOf(server, 'token.issued', () => oidc.clientCredentialsGrant(m2m, { scope: 'reports:read' }));
      assert.deepEqual(
        { outcome: event.outcome, actor: [event.actor_kind, event.actor_id], client: event.client_id, user: event.user_id, address: event.client_address },
        { outcome: 'success', actor: ['client', 'm2m'], client: 'm2m', user: null, address: '127.0.0.1' },
      );
      assert.deepEqual(event.details, { grant_type: 'client_credentials', tokens: ['access_token'], scope: 'reports:read' });
    });

    test('a code flow with consent: consent.given by the user, then token.issued for the code, with the user', async () => {
      const added = await eventsOf(server, () => signIn(server, web, offline.scope, { params: offline.params }));
      assert.deepEqual(added.map((event) => event.type).sort(), ['consent.given', 'sign_in.succeeded', 'token.issued']);
      const consent = added.find((event) => event.type === 'consent.given');
      const issued = added.find((event) => event.type === 'token.issued');
      assert.deepEqual([consent!.actor_kind, consent!.actor_id, consent!.user_id, consent!.client_id], ['user', aliceId, aliceId, 'web']);
      assert.deepEqual((consent!.details.scopes as string[]).sort(), ['offline_access', 'openid', 'profile']);
      assert.equal(typeof consent!.details.grant_id, 'string');
      assert.deepEqual([issued!.actor_kind, issued!.actor_id, issued!.user_id, issued!.client_id], ['client', 'web', aliceId, 'web']);
      assert.equal(issued!.details.grant_type, 'authorization_code');
      assert.deepEqual(issued!.details.tokens, ['access_token', 'id_token', 'refresh_token']);
    });

    test('a refresh: token.issued with grant type refresh_token; revoking the refresh token revokes the grant: consent.revoked by the application', async () => {
      const tokens = await signIn(server, web, offline.scope, { params: offline.params });
      const refreshed = await oneEventOf(server, 'token.issued', () => oidc.refreshTokenGrant(web, tokens.refresh_token!));
      assert.equal(refreshed.details.grant_type, 'refresh_token');
      assert.equal(refreshed.user_id, aliceId);
      const revoked = await oneEventOf(server, 'consent.revoked', () => oidc.tokenRevocation(web, tokens.refresh_token!));
      assert.deepEqual([revoked.actor_kind, revoked.actor_id, revoked.reason, revoked.user_id, revoked.client_id], ['client', 'web', 'token_revoked', aliceId, 'web']);
    });

    test('the password grant: sign_in.succeeded through the grant, then token.issued with grant type password', async () => {
      const added = await eventsOf(server, async () => {
        const answer = await postToken(server, { grant_type: 'password', username: alice.username, password: alice.password, scope: 'openid' }, basicAuth('legacy', secretOf('legacy')));
        assert.equal(answer.status, 200);
      });
      // One request records both, possibly within one millisecond: found by type, not by order.
      assert.deepEqual(added.map((event) => event.type).sort(), ['sign_in.succeeded', 'token.issued']);
      const signedIn = added.find((event) => event.type === 'sign_in.succeeded')!;
      const issued = added.find((event) => event.type === 'token.issued')!;
      assert.deepEqual(signedIn.details, { method: 'password', channel: 'password_grant', amr: ['pwd'] });
      assert.equal(signedIn.client_id, 'legacy');
      assert.deepEqual([issued.details.grant_type, issued.user_id, issued.details.tokens], ['password', aliceId, ['access_token', 'id_token']]);
    });

    test('the implicit flow: token.issued at the authorization endpoint, grant type implicit, with the response type', async () => {
      const spa = await oidc.discovery(new URL(server.issuer), 'implicit', undefined, oidc.None(), insecure);
      const url = oidc.buildAuthorizationUrl(spa, { redirect_uri: redirectUri, scope: 'openid', response_type: 'id_token token', nonce: oidc.randomNonce() });
      const issued = await oneEventOf(server, 'token.issued', () => callbackFor(newBrowser(server), url));
      assert.deepEqual(
        { grant: issued.details.grant_type, type: issued.details.response_type, tokens: issued.details.tokens, user: issued.user_id, client: issued.client_id },
        { grant: 'implicit', type: 'id_token token', tokens: ['access_token', 'id_token'], user: aliceId, client: 'implicit' },
      );
    });

    test('a logout: session.ended by the user, and each grant of the session consent.revoked for the logout', async () => {
      const browser = newBrowser(server);
      const tokens = await signIn(server, web, 'openid', { browser });
      const added = await eventsOf(server, async () => {
        const endSession = oidc.buildEndSessionUrl(web, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogoutRedirectUri });
        const confirmation = expectPage(await browser.get(endSession.toString()));
        const form = readForm(confirmation, 'form#op\\.logoutForm');
        expectRedirect(await browser.post(new URL(form.action, confirmation.url).toString(), { ...form.fields, logout: 'yes' }));
      });
      const ended = added.find((event) => event.type === 'session.ended');
      assert.ok(ended, `a session.ended event among ${added.map((event) => event.type).join(', ')}`);
      assert.deepEqual([ended.actor_kind, ended.user_id, ended.client_id, ended.reason], ['user', aliceId, 'web', 'logout']);
      const revoked = added.filter((event) => event.type === 'consent.revoked');
      assert.ok(revoked.length >= 1);
      for (const event of revoked) assert.deepEqual([event.reason, event.user_id, event.actor_kind], ['logout', aliceId, 'user']);
      assert.ok(revoked.some((event) => event.client_id === 'web'));
    });

    test('an authorization code redeemed twice: the engine revokes the grant, consent.revoked for the reuse', async () => {
      const pending = await startAuthorization(web, 'openid');
      const callback = await callbackFor(newBrowser(server), pending.url);
      const code = callback.searchParams.get('code')!;
      const redeem = () => postToken(server, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pending.verifier }, basicAuth('web', secretOf('web')));
      assert.equal((await redeem()).status, 200);
      const revoked = await oneEventOf(server, 'consent.revoked', async () => assert.equal((await redeem()).status, 400));
      assert.deepEqual([revoked.reason, revoked.actor_kind, revoked.client_id], ['reuse_detected', 'system', 'web']);
    });
  });
}
