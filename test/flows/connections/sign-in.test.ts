/*
 * Signing in to an application through an upstream OpenID Connect provider (issue 15, points 2
 * and 3): the login page's button, the upstream's login, and back, with Gatehouse's tokens for
 * the Gatehouse user the upstream identity is linked to.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { expectPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { ann, ben, kim } from './fixtures.js';
import { oidcConnection } from './fixtures.js';
import { failureOf, linksOf, Person, refusedThrough, signInThrough, startWorld, whatExists, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`sign-in through an upstream provider (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({ dialect, connections: (upstream) => [oidcConnection('okta', upstream.discoveryUrl)] });
    });
    afterEach(() => world.upstream.resetSwitches());
    after(() => world?.close());

    test('the login page shows a button labelled with the connection\'s name beside the password form', async () => {
      const { url } = await startAuthorization(world.app, 'openid');
      const page = expectPage(await new Person(world).open(url));
      assert.ok(page.document.querySelector('form[action$="/password/login"]'), 'the password form stays');
      const buttons = page.document.querySelectorAll('form[action$="/oidc/start"] button').map((button) => button.text.trim());
      assert.deepEqual(buttons, ['Corp okta']);
    });

    test('a first sign-in creates the user just in time, linked to the upstream identity, and the application gets Gatehouse tokens for it', async () => {
      const before = await whatExists(world.server);
      // Every id_token says how the user proved who they are.
      const tokens = await signInThrough(world, new Person(world), 'okta', 'ann');
      const claims = tokens.claims()!;
      const user = await world.server.services.users.findByUsername('ann');
      assert.ok(user, 'ann has an account now');
      assert.equal(claims.sub, user.id, 'the sub is the Gatehouse user, not the upstream subject');
      assert.notEqual(claims.sub, ann.sub);
      assert.deepEqual(claims.amr, ['fed'], 'RFC 8176: a federated sign-in');
      assert.equal(user.email, ann.email);
      assert.equal(user.profile.name, ann.name);
      assert.equal(user.profile.email_verified, true);
      assert.deepEqual(user.groups, ann.groups, 'groups_claim');
      assert.deepEqual(await linksOf(world.server, ann.sub), [user.id]);
      const userinfo = await oidc.fetchUserInfo(world.app, tokens.access_token, user.id);
      assert.equal(userinfo.email, ann.email);
      const after = await whatExists(world.server);
      assert.equal(after.users, before.users + 1);
      assert.equal(after.links, before.links + 1);

      const again = await signInThrough(world, new Person(world), 'okta', 'ann');
      assert.equal(again.claims()?.sub, user.id, 'the same upstream user signs in to the same account');
      assert.equal((await whatExists(world.server)).users, after.users);
    });

    test('a renamed upstream user keeps its account, and its profile follows the upstream at sign-in', async () => {
      const first = await signInThrough(world, new Person(world), 'okta', 'ben');
      const renamed = { ...ben, preferred_username: 'benjamin', name: 'Benjamin Example', email: 'benjamin@corp.example.test', email_verified: true };
      world.upstream.setUser(renamed);
      try {
        const second = await signInThrough(world, new Person(world), 'okta', 'benjamin');
        assert.equal(second.claims()?.sub, first.claims()?.sub);
        const user = await world.server.services.users.findById(first.claims()!.sub);
        assert.equal(user?.username, 'ben', 'the user name here stays: other applications know it');
        assert.equal(user?.profile.name, 'Benjamin Example');
        assert.equal(user?.email, 'benjamin@corp.example.test');
        assert.equal(await world.server.services.users.findByUsername('benjamin'), undefined, 'no second account');
      } finally {
        world.upstream.setUser(ben);
      }
    });

    test('the user name comes from userinfo when the id_token does not carry it', async () => {
      world.upstream.switches.claimsOnlyInUserinfo = true;
      const dora = { sub: '00u9dora', preferred_username: 'dora', email: 'dora@corp.example.test', email_verified: true, name: 'Dora' };
      world.upstream.setUser(dora);
      const tokens = await signInThrough(world, new Person(world), 'okta', 'dora');
      const user = await world.server.services.users.findByUsername('dora');
      assert.equal(tokens.claims()?.sub, user?.id);
      assert.equal(user?.profile.name, 'Dora');
    });

    test('an upstream user named like an existing local account that nobody linked does not take it (create mode)', async () => {
      const before = await whatExists(world.server);
      const refused = await refusedThrough(world, 'okta', kim.sub);
      assert.equal(refused.status, 403);
      assert.match(failureOf(refused).message, /An account named "kim" exists here already and is not linked to your Corp okta account/);
      assert.deepEqual(await linksOf(world.server, kim.sub), []);
      assert.deepEqual(await whatExists(world.server), before);
    });

    test('another upstream user whose user name matches a linked account does not get it', async () => {
      await signInThrough(world, new Person(world), 'okta', 'ann');
      const impostor = { sub: '00u7eve', preferred_username: 'ann', email: 'eve@corp.example.test', email_verified: true, name: 'Eve' };
      world.upstream.setUser(impostor);
      const before = await whatExists(world.server);
      const refused = await refusedThrough(world, 'okta', impostor.sub);
      assert.equal(refused.status, 403);
      assert.match(failureOf(refused).message, /belongs to another Corp okta user/);
      assert.ok(refused.document.querySelector('form[action$="/password/login"]'), 'back on the login page');
      assert.deepEqual(await linksOf(world.server, impostor.sub), []);
      assert.deepEqual(await whatExists(world.server), before);
    });
  });
}
