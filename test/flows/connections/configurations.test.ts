/*
 * The ways an administrator configures a connection (seed 000): by discovery URL, by the
 * endpoints typed in (Raysync's form), with OneLogin's "POST" client authentication; and what
 * a wrong client secret looks like to the person signing in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { ann, ben, manualConnection, oidcConnection, upstreamSecret } from './fixtures.js';
import { failureOf, linksOf, Person, signInThrough, startWorld, whatExists, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`connection configurations (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({
        dialect,
        connections: (upstream) => [
          manualConnection(upstream),
          oidcConnection('onelogin', upstream.discoveryUrl, { token_endpoint_auth_method: 'client_secret_post' }),
          oidcConnection('mistyped', upstream.discoveryUrl, { client_secret: 'not-the-secret-the-upstream-issued-0000' }),
        ],
        // The upstream knows mistyped's client by the secret it issued, not the one typed into Gatehouse.
        registerAs: (declared) => (declared.id === 'mistyped' ? { client_secret: upstreamSecret } : {}),
      });
    });
    after(() => world?.close());

    test('endpoints typed in instead of a discovery URL sign in the same way', async () => {
      const tokens = await signInThrough(world, new Person(world), 'manual', 'ann');
      const user = await world.server.services.users.findByUsername('ann');
      assert.equal(tokens.claims()?.sub, user?.id);
      assert.deepEqual(await linksOf(world.server, ann.sub), [user?.id]);
      assert.equal(world.upstream.authorizationRequests.at(-1)?.get('client_id'), 'gatehouse-manual');
    });

    test('client_secret_post (OneLogin\'s "POST") redeems the code with the secret in the body', async () => {
      const tokens = await signInThrough(world, new Person(world), 'onelogin', 'ben');
      assert.equal(tokens.claims()?.sub, (await world.server.services.users.findByUsername('ben'))?.id);
    });

    test('a wrong client secret ends on a page that says so, and nothing is created', async () => {
      world.upstream.setUser({ ...ben, sub: '00u8cal', preferred_username: 'cal', email: 'cal@corp.example.test' });
      const before = await whatExists(world.server);
      const person = new Person(world);
      const { url } = await startAuthorization(world.app, 'openid');
      const authorizationRequest = await person.pressConnection(expectPage(await person.open(url)), 'mistyped');
      const page = expectPage(await person.returnToGatehouse(await person.signInUpstream(authorizationRequest, 'cal')));
      const failure = failureOf(page);
      assert.equal(failure.status, 502);
      assert.equal(failure.code, 'upstream_client_refused');
      assert.match(failure.message, /Corp mistyped did not accept Gatehouse's client ID and secret/);
      assert.ok(failure.backToLogin, 'a way back to the login page');
      assert.doesNotMatch(page.body, /at .*\.ts:\d+/, 'no stack trace');
      assert.equal(await world.server.services.users.findByUsername('cal'), undefined);
      assert.deepEqual(await whatExists(world.server), before);
    });
  });
}
