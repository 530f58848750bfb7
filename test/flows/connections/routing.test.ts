/*
 * How a browser gets to the right upstream without a click on its button: `connection=` on the
 * authorization request (the Auth0 and Logto convention), and home-realm discovery from the
 * address typed on the login page; and what is forwarded as login_hint.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectPage, expectRedirect, isPage } from '../../helpers/browser.js';
import { redeem, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { ann, oidcConnection } from './fixtures.js';
import { failureOf, finishAt, Person, startWorld, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`routing to a connection (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({
        dialect,
        connections: (upstream) => [
          oidcConnection('okta', upstream.discoveryUrl, { email_domains: ['corp.example.test'] }),
          oidcConnection('quiet', upstream.discoveryUrl, { forward_login_hint: false, email_domains: ['quiet.example.test'] }),
          oidcConnection('retired', upstream.discoveryUrl, { enabled: false, email_domains: ['retired.example.test'] }),
        ],
      });
    });
    after(() => world?.close());

    /** What the upstream received as the last authorization request. */
    const received = () => world.upstream.authorizationRequests.at(-1)!;

    test('connection= goes straight to that upstream, with the application\'s login_hint, and signs in', async () => {
      const person = new Person(world);
      const pending = await startAuthorization(world.app, 'openid', { connection: 'okta', login_hint: ann.email! });
      const authorizationRequest = new URL(expectRedirect(await person.open(pending.url)));
      assert.equal(authorizationRequest.origin, world.upstream.origin, 'no login page at Gatehouse');
      const callback = await person.signInUpstream(authorizationRequest, ann.email!);
      assert.equal(received().get('login_hint'), ann.email);
      assert.equal(received().get('code_challenge_method'), 'S256');
      assert.ok(received().get('code_challenge') && received().get('nonce') && received().get('state'));
      assert.notEqual(received().get('state'), pending.state, 'the upstream gets a state of Gatehouse\'s own');
      const tokens = await finishAt(world, person, pending, callback);
      assert.equal(tokens.claims()?.sub, (await world.server.services.users.findByUsername('ann'))?.id);
    });

    test('an unknown or disabled connection= shows the login page as usual', async () => {
      for (const connection of ['nobody', 'retired']) {
        const page = expectPage(await new Person(world).open((await startAuthorization(world.app, 'openid', { connection })).url));
        assert.ok(page.document.querySelector('form[action$="/password/login"]'), connection);
        const buttons = page.document.querySelectorAll('form[action$="/oidc/start"] input[name=connection]').map((input) => input.getAttribute('value'));
        assert.deepEqual(buttons, ['okta', 'quiet'], 'a disabled connection has no button');
      }
    });

    test('connection= is taken once: back on the login page after the upstream refused, the page is shown', async () => {
      const person = new Person(world);
      const pending = await startAuthorization(world.app, 'openid', { connection: 'okta' });
      const authorizationRequest = new URL(expectRedirect(await person.open(pending.url)));
      const failed = expectPage(await person.returnToGatehouse(await person.cancelUpstream(authorizationRequest)));
      const { backToLogin } = failureOf(failed);
      assert.ok(backToLogin);
      const loginPage = expectPage(await person.open(new URL(backToLogin, world.server.url)));
      assert.ok(loginPage.document.querySelector('form[action$="/password/login"]'), 'the login page, not the upstream again');
    });

    test('a typed address of a connection\'s email domain goes to that connection with the address as login_hint, no password asked', async () => {
      const person = new Person(world);
      const pending = await startAuthorization(world.app, 'openid');
      const loginPage = expectPage(await person.open(pending.url));
      const sent = await person.atGatehouse.submit(loginPage, 'form[action$="/password/login"]', { username: 'Ann@Corp.Example.Test', password: '' });
      const authorizationRequest = new URL(expectRedirect(sent));
      const callback = await person.signInUpstream(authorizationRequest, ann.sub);
      assert.equal(received().get('client_id'), 'gatehouse-okta');
      assert.equal(received().get('login_hint'), 'Ann@Corp.Example.Test');
      const tokens = await finishAt(world, person, pending, callback);
      assert.ok(tokens.claims()?.sub);
    });

    test('a connection that does not forward login hints sends none; an address of a disabled connection, or of no connection, is a password sign-in', async () => {
      const person = new Person(world);
      const loginPage = expectPage(await person.open((await startAuthorization(world.app, 'openid')).url));
      const sent = await person.atGatehouse.submit(loginPage, 'form[action$="/password/login"]', { username: 'someone@quiet.example.test' });
      await person.atUpstream.get(expectRedirect(sent));
      assert.equal(received().get('client_id'), 'gatehouse-quiet');
      assert.equal(received().has('login_hint'), false);

      for (const username of ['someone@retired.example.test', 'kim@elsewhere.example.test']) {
        const page = expectPage(await person.open((await startAuthorization(world.app, 'openid')).url));
        const refused = await person.atGatehouse.submit(page, 'form[action$="/password/login"]', { username, password: 'not the password at all' });
        assert.ok(isPage(refused) && refused.status === 401, `${username}: the password was checked`);
      }
    });

    test('the application still redeems only its own code: Gatehouse\'s login ends in a code for the application', async () => {
      const person = new Person(world);
      const pending = await startAuthorization(world.app, 'openid', { connection: 'okta' });
      const callback = await person.signInUpstream(new URL(expectRedirect(await person.open(pending.url))), ann.sub);
      const back = new URL(expectRedirect(await person.returnToGatehouse(callback)));
      assert.equal(back.searchParams.get('state'), pending.state);
      assert.ok((await redeem(world.app, pending, back)).access_token);
    });
  });
}
