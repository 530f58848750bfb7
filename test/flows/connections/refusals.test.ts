/*
 * Everything that can go wrong on the way through an upstream ends on a clear Gatehouse page
 * (issue 15, point 3): the upstream down, the user cancelling there, a tampered or replayed
 * state, the callback or the hop back opened in another browser, an id_token with the wrong
 * audience, nonce or signature, a mixed-up issuer. None of them creates a user, an identity
 * link or a session.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { expectPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { ben, oidcConnection } from './fixtures.js';
import { failureOf, finishAt, Person, startWorld, whatExists, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`refusals on the way through an upstream (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({
        dialect,
        connections: (upstream) => [oidcConnection('okta', upstream.discoveryUrl), oidcConnection('cold', upstream.discoveryUrl)],
      });
    });
    afterEach(async () => {
      world.upstream.resetSwitches();
      await world.upstream.resume();
    });
    after(() => world?.close());

    /** Ben signs in at the upstream: the callback his browser is sent to, not yet followed. */
    async function toCallback(connectionId = 'okta') {
      const person = new Person(world);
      const pending = await startAuthorization(world.app, 'openid profile');
      const authorizationRequest = await person.pressConnection(expectPage(await person.open(pending.url)), connectionId);
      return { person, pending, callback: await person.signInUpstream(authorizationRequest, ben.sub) };
    }

    /** The failure page a return to Gatehouse ends on, once nothing is found to have been created. */
    async function refused(go: () => Promise<unknown>) {
      const before = await whatExists(world.server);
      const page = expectPage(await go() as Parameters<typeof expectPage>[0]);
      assert.deepEqual(await whatExists(world.server), before, 'no user, identity link or session');
      assert.doesNotMatch(page.body, /\.ts:\d+|at async/, 'no stack trace');
      return failureOf(page);
    }

    async function countDetours(): Promise<number> {
      const row = await world.server.services.deps.db.selectFrom('sign_in_detours').select(sql<string | number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    }

    test('the upstream down when the code is redeemed: 502, with a way back to the login page', async () => {
      const { person, callback } = await toCallback();
      await world.upstream.stop();
      const failure = await refused(() => person.returnToGatehouse(callback));
      assert.equal(failure.status, 502);
      assert.equal(failure.code, 'upstream_failed');
      assert.match(failure.message, /Corp okta could not be reached/);
      assert.ok(failure.backToLogin);
    });

    test('the upstream down before anyone went there: the button answers 502 and stores no detour', async () => {
      await world.upstream.stop();
      const person = new Person(world);
      const loginPage = expectPage(await person.open((await startAuthorization(world.app, 'openid')).url));
      const detoursBefore = await countDetours();
      const form = loginPage.document.querySelectorAll('form[action$="/oidc/start"]').find((f) => f.querySelector('input[value=cold]'));
      const csrf = form?.querySelector('input[name=csrf]')?.getAttribute('value') ?? '';
      const failure = await refused(() => person.atGatehouse.post(new URL(form!.getAttribute('action')!, loginPage.url).toString(), { csrf, connection: 'cold' }));
      assert.equal(failure.status, 502);
      assert.ok(failure.backToLogin);
      assert.equal(await countDetours(), detoursBefore);
    });

    test('the user cancels at the upstream (access_denied): 403 saying so, with a way back', async () => {
      const person = new Person(world);
      const { url } = await startAuthorization(world.app, 'openid');
      const authorizationRequest = await person.pressConnection(expectPage(await person.open(url)), 'okta');
      const callback = await person.cancelUpstream(authorizationRequest);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      const failure = await refused(() => person.returnToGatehouse(callback));
      assert.equal(failure.status, 403);
      assert.equal(failure.code, 'upstream_denied');
      assert.match(failure.message, /Corp okta did not sign you in/);
      assert.ok(failure.backToLogin);
      const back = expectPage(await person.open(new URL(failure.backToLogin!, world.server.url)));
      assert.ok(back.document.querySelector('form[action$="/password/login"]'), 'the way back leads to the login page');
    });

    test('a tampered state matches no departure; the callback in another browser meets no binding; neither spoils the real one, which then cannot be replayed', async () => {
      const { person, pending, callback } = await toCallback();
      const tampered = new URL(callback);
      tampered.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -2)}xx`);
      const forged = await refused(() => person.returnToGatehouse(tampered));
      assert.deepEqual([forged.status, forged.code, forged.backToLogin], [400, 'detour_unknown', undefined]);

      const elsewhere = await refused(() => new Person(world).returnToGatehouse(callback));
      assert.deepEqual([elsewhere.status, elsewhere.code], [400, 'detour_other_browser']);
      assert.match(elsewhere.message, /started in another browser/);

      const tokens = await finishAt(world, person, pending, callback);
      assert.equal(tokens.claims()?.sub, (await world.server.services.users.findByUsername('ben'))?.id, 'the browser that left signs in');
      const replay = await refused(() => person.returnToGatehouse(callback));
      assert.deepEqual([replay.status, replay.code], [400, 'detour_used']);
      await world.server.services.users.deleteUser({ kind: 'cli', command: 'test' }, tokens.claims()!.sub);
    });

    test('ten callbacks racing with one state: exactly one goes on, the others are replays', async () => {
      const { person, callback } = await toCallback();
      const cookie = await person.atGatehouse.jar.getCookieString(callback.toString());
      const answers = await Promise.all(Array.from({ length: 10 }, () => fetch(callback, { redirect: 'manual', headers: { cookie, accept: 'text/html' } })));
      const statuses = answers.map((answer) => answer.status).sort();
      assert.deepEqual(statuses, [303, ...Array(9).fill(400)]);
    });

    test('the hop back opened in another browser finds no interaction there, and the browser that left still completes', async () => {
      const { person, pending, callback } = await toCallback();
      const answer = await fetch(callback, { redirect: 'manual', headers: { cookie: await person.atGatehouse.jar.getCookieString(callback.toString()) } });
      assert.equal(answer.status, 303);
      const hop = new URL(answer.headers.get('location')!, callback);
      assert.match(hop.pathname, /^\/interaction\/[^/]+\/oidc\/complete$/);
      const stranger = new Person(world);
      const before = await whatExists(world.server);
      const page = expectPage(await stranger.atGatehouse.get(hop.toString()));
      assert.equal(page.status, 400);
      assert.deepEqual(await whatExists(world.server), before);
      const tokens = await finishAt(world, person, pending, hop);
      assert.ok(tokens.claims()?.sub);
      await world.server.services.users.deleteUser({ kind: 'cli', command: 'test' }, tokens.claims()!.sub);
    });

    for (const [what, switches, reason] of [
      ['the wrong audience', { idTokenClaims: { aud: 'someone-else' } }, /aud/],
      ['another nonce', { idTokenClaims: { nonce: 'another-nonce' } }, /nonce/],
      ['a signature by a key the upstream never published', { foreignSignature: true }, /signature/],
      ['an expired id_token', { idTokenClaims: { exp: Math.floor(Date.now() / 1000) - 3600 } }, /exp|timestamp/],
    ] as const) {
      test(`an id_token with ${what} is not trusted: 502, nothing created`, async () => {
        Object.assign(world.upstream.switches, switches);
        const { person, callback } = await toCallback();
        const failure = await refused(() => person.returnToGatehouse(callback));
        assert.equal(failure.status, 502);
        assert.equal(failure.code, 'upstream_response_invalid');
        assert.match(failure.message, reason);
        assert.ok(failure.backToLogin);
      });
    }

    test('an authorization response naming another issuer (RFC 9207 mix-up) is not trusted', async () => {
      world.upstream.switches.authorizationResponseIss = 'https://attacker.example.test';
      const { person, callback } = await toCallback();
      assert.equal(callback.searchParams.get('iss'), 'https://attacker.example.test');
      const failure = await refused(() => person.returnToGatehouse(callback));
      assert.deepEqual([failure.status, failure.code], [502, 'upstream_response_invalid']);
    });

    test('a callback to another connection\'s address than the one departed for is refused', async () => {
      const { person, callback } = await toCallback();
      const misdirected = new URL(callback.toString().replace('/login/oidc/okta/', '/login/oidc/cold/'));
      const failure = await refused(() => person.returnToGatehouse(misdirected));
      assert.equal(failure.status, 404);
      assert.equal(failure.code, 'connection_unavailable');
    });

    test('a return after the detour expired is refused, with a way back to the login page', async () => {
      const { person, callback } = await toCallback();
      // Ten minutes at the upstream, without the wait: the detour's expiry moved into the past.
      await world.server.services.deps.db.updateTable('sign_in_detours').set({ expires_at: Date.now() - 1000 }).where('returned_at', 'is', null).execute();
      const failure = await refused(() => person.returnToGatehouse(callback));
      assert.deepEqual([failure.status, failure.code], [400, 'detour_expired']);
      assert.ok(failure.backToLogin);
    });
  });
}
