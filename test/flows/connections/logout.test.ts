/*
 * Logout (issue 15, point 5): RP-initiated logout at Gatehouse of a session that came from a
 * connection with an end_session_endpoint ends the upstream session too, then returns to the
 * application's registered post_logout_redirect_uri with its state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { defaults } from '../../../src/config/defaults.js';
import { sweepExpired } from '../../../src/db/sweep-expired.js';
import { expectPage, expectRedirect, isPage, readForm, type Page } from '../../helpers/browser.js';
import { signIn, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { upstreamForms } from '../../helpers/upstream-idp.js';
import { ann, manualConnection, oidcConnection, postLogoutRedirectUri } from './fixtures.js';
import { finishAt, Person, signInThrough, startWorld, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`logout through the upstream (${dialect})`, () => {
    let world: World;
    // Time stands still unless a test moves it (a consent page left open).
    let time: PinnedTime;

    before(async () => {
      time = pinTime();
      world = await startWorld({
        dialect,
        clock: time,
        connections: (upstream) => [
          oidcConnection('okta', upstream.discoveryUrl),
          manualConnection(upstream, 'no-logout', { end_session_endpoint: undefined }),
        ],
      });
    });
    after(async () => {
      await world?.close();
      time?.release();
    });

    /** Gatehouse's logout confirmation, answered "sign out" (its buttons sit outside the form). */
    async function logOutAtGatehouse(person: Person, idToken: string, state: string) {
      const endSession = oidc.buildEndSessionUrl(world.app, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri, state });
      const confirmation = expectPage(await person.open(endSession));
      const form = readForm(confirmation, 'form#op\\.logoutForm');
      return person.atGatehouse.post(new URL(form.action, confirmation.url).toString(), { ...form.fields, logout: 'yes' });
    }

    async function asksToSignIn(person: Person): Promise<boolean> {
      const page = await person.open((await startAuthorization(world.app, 'openid')).url);
      return isPage(page) && page.document.querySelector('form[action$="/password/login"]') !== null;
    }

    test('a session from a connection ends at the upstream too, with its id_token as hint, and the browser comes back to the application', async () => {
      const person = new Person(world);
      const tokens = await signInThrough(world, person, 'okta', 'ann');
      const state = oidc.randomState();
      const upstreamLogout = new URL(expectRedirect(await logOutAtGatehouse(person, tokens.id_token!, state)));

      assert.equal(`${upstreamLogout.origin}${upstreamLogout.pathname}`, world.upstream.endpoints.endSessionEndpoint);
      const hint = upstreamLogout.searchParams.get('id_token_hint')!;
      const hinted = JSON.parse(Buffer.from(hint.split('.')[1]!, 'base64url').toString()) as { iss: string; sub: string; aud: string };
      assert.deepEqual([hinted.iss, hinted.sub, hinted.aud], [world.upstream.issuer, ann.sub, 'gatehouse-okta'], 'the upstream\'s own id_token');
      assert.equal(upstreamLogout.searchParams.get('post_logout_redirect_uri'), `${new URL(world.server.issuer).origin}/login/oidc/okta/signed-out`);
      assert.equal(upstreamLogout.searchParams.get('client_id'), 'gatehouse-okta');
      assert.ok(upstreamLogout.searchParams.get('state'));
      assert.equal(await asksToSignIn(person), true, 'the Gatehouse session ended before the browser left');

      const confirmation = expectPage(await person.atUpstream.get(upstreamLogout.toString())) as Page;
      const backAtGatehouse = new URL(expectRedirect(await person.atUpstream.submit(confirmation, upstreamForms.signOut)));
      assert.equal(backAtGatehouse.pathname, '/login/oidc/okta/signed-out');
      assert.equal(world.upstream.endSessionRequests.at(-1)?.get('id_token_hint'), hint);
      const done = new URL(expectRedirect(await person.atGatehouse.get(backAtGatehouse.toString())));
      assert.equal(`${done.origin}${done.pathname}`, postLogoutRedirectUri);
      assert.equal(done.searchParams.get('state'), state, 'the application\'s state comes back');

      const pending = await startAuthorization(world.app, 'openid', { connection: 'okta' });
      const again = await person.atUpstream.get(expectRedirect(await person.open(pending.url)));
      assert.ok(isPage(again) && again.document.querySelector(upstreamForms.signIn), 'the upstream asks to sign in again');
    });

    test('a consent page left open past the detour\'s lifetime, and the sweep, still end the upstream session at logout', async () => {
      world.upstream.setUser({ ...ann, sub: '00u9eve', preferred_username: 'eve', email: 'eve@corp.example.test' });
      const person = new Person(world);
      const pending = await startAuthorization(world.app, 'openid profile email');
      const authorizationRequest = await person.pressConnection(expectPage(await person.open(pending.url)), 'okta');
      const consent = expectPage(await person.atGatehouse.get((await person.signInUpstream(authorizationRequest, 'eve')).toString()));
      assert.ok(consent.document.querySelector('form[action$="/consent"]'), 'the consent page, after the hop back');
      // The detour would have expired minutes after departure, and the sweep deleted it; a
      // completed one is kept for an interaction's lifetime, as long as the prompts after the login.
      time.advance(defaults.connections.detourSeconds + 60);
      await sweepExpired(world.server.services.deps.db, time);
      const tokens = await finishAt(world, person, pending, new URL(consent.url));
      const upstreamLogout = new URL(expectRedirect(await logOutAtGatehouse(person, tokens.id_token!, 's3')));
      assert.equal(`${upstreamLogout.origin}${upstreamLogout.pathname}`, world.upstream.endpoints.endSessionEndpoint);
    });

    test('the upstream\'s id_token and the claims it proved are stored sealed: no JWT or email address in the database', async () => {
      await signInThrough(world, new Person(world), 'okta', 'ann');
      const { db } = world.server.services.deps;
      const detours = await db.selectFrom('sign_in_detours').select(['identity_claims', 'upstream_id_token']).where('identity_subject', '=', ann.sub).execute();
      const sessions = await db.selectFrom('upstream_sessions').select('id_token').execute();
      assert.ok(detours.length > 0 && sessions.length > 0, 'a detour and an upstream session were stored');
      for (const stored of [...detours.flatMap((row) => [row.identity_claims, row.upstream_id_token]), ...sessions.map((row) => row.id_token)]) {
        assert.match(stored ?? '', /^v1\./, 'sealed with the master secret');
        assert.doesNotMatch(stored ?? '', /eyJ[\w-]*\.[\w-]+\./, 'no JWT');
        assert.doesNotMatch(stored ?? '', /@corp\.example\.test|Ann Example/, 'no email address or name');
      }
    });

    test('a signed-out return that Gatehouse did not sign leads nowhere but its own signed-out page', async () => {
      const forged = new URL('/login/oidc/okta/signed-out', world.server.url);
      forged.searchParams.set('state', 'eyJwYXlsb2FkIjoiaHR0cHM6Ly9hdHRhY2tlci5leGFtcGxlIn0.forged');
      const page = expectPage(await new Person(world).atGatehouse.get(forged.toString()));
      assert.equal(page.status, 200);
      assert.match(page.document.querySelector('h1')?.text ?? '', /Signed out/);
      assert.doesNotMatch(page.body, /attacker/);
    });

    test('a connection without an end_session_endpoint, and a password sign-in, log out at Gatehouse alone', async () => {
      const federated = new Person(world);
      const tokens = await signInThrough(world, federated, 'no-logout', 'ann');
      const done = new URL(expectRedirect(await logOutAtGatehouse(federated, tokens.id_token!, 's1')));
      assert.equal(`${done.origin}${done.pathname}`, postLogoutRedirectUri);

      const local = new Person(world);
      const passwordTokens = await signIn(world.server, world.app, 'openid', { browser: local.atGatehouse, credentials: { username: 'kim', password: 'kim keeps a quiet garden' } });
      const direct = new URL(expectRedirect(await logOutAtGatehouse(local, passwordTokens.id_token!, 's2')));
      assert.equal(`${direct.origin}${direct.pathname}`, postLogoutRedirectUri);
      assert.equal(direct.searchParams.get('state'), 's2');
    });
  });
}
