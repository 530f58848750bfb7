/*
 * The account rules of a partner's sign-in (docs/connections/jwt-sso.md, "Which user a token
 * signs in as"): an account linked to a partner's id is that id's; disabled accounts and names
 * taken by someone else are refused on the login page with nothing changed; users the
 * configuration file declares keep the file's profile; a new address drops the old one's
 * verification; any address or exp RFC 7519 allows signs in on every dialect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectPage } from '../../helpers/browser.js';
import { dialects } from '../../helpers/databases.js';
import { jwtConnection } from './fixtures.js';
import { departThroughButton, partnerToken, Person, signInWith, startWorld, userNamed, whatExists, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`whose account a partner's token signs in to (${dialect})`, () => {
    let world: World;
    before(async () => {
      world = await startWorld({
        dialect,
        connections: [jwtConnection('portal')],
        users: [
          { username: 'taken@partner.example', email: 'someone.else@partner.example', password: 'a name that looks like an address' },
          { username: 'boss', email: 'boss@partner.example', groups: ['gatehouse-admins'], password: 'the boss has a long password' },
        ],
      });
    });
    after(() => world?.close());

    /** A sign-in the account rules refuse: the login page again, 403, with the reason; nothing about users or links changed. */
    async function refusedOnLoginPage(token: string) {
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, 'portal');
      const before = await whatExists(world.server);
      const page = expectPage(await person.returnWith(signInUrl, token));
      assert.equal(page.status, 403);
      assert.ok(page.document.querySelector('form[action$="/password/login"]'), 'the login page, to sign in another way');
      const after = await whatExists(world.server);
      assert.deepEqual({ users: after.users, links: after.links, sessions: after.sessions }, { users: before.users, links: before.links, sessions: before.sessions });
      return page.document.querySelector('.error')?.text.trim() ?? '';
    }

    test('an account linked to one partner id is not taken by another id with its address, nor by a token that names no id', async () => {
      const first = await signInWith(world, 'portal', await partnerToken({ sub: 'alice-id', email: 'alice@partner.example' }));
      assert.match(await refusedOnLoginPage(await partnerToken({ sub: 'mallory-id', email: 'alice@partner.example' })), /belongs to a Portal portal user whose id this sign-in does not carry/);
      assert.match(await refusedOnLoginPage(await partnerToken({ email: 'alice@partner.example' })), /belongs to a Portal portal user/);
      const again = await signInWith(world, 'portal', await partnerToken({ sub: 'alice-id' }));
      assert.equal(again.idToken.sub, first.idToken.sub, 'her own id still signs her in');
    });

    test('an administrator\'s account is not taken over by a token naming its address', async () => {
      assert.match(await refusedOnLoginPage(await partnerToken({ sub: 'boss-id', email: 'boss@partner.example' })), /is an administrator's, which no sign-in takes over by its address/);
    });

    test('a disabled account is refused, and stays as it was', async () => {
      assert.match(await refusedOnLoginPage(await partnerToken({ sub: 'olga-id', email: 'olga@partner.example', given_name: 'Changed' })), /disabled/);
      assert.equal((await userNamed(world.server, 'olga'))?.profile.given_name, undefined);
    });

    test('a new user whose name is taken by an account with another address is refused: the account is not handed over', async () => {
      assert.match(await refusedOnLoginPage(await partnerToken({ sub: 'new-id', email: 'taken@partner.example' })), /An account named "taken@partner.example" exists here already/);
    });

    test('a user the configuration file declares keeps the file\'s names and groups', async () => {
      const { userinfo } = await signInWith(world, 'portal', await partnerToken({ sub: 'maria-id', email: 'maria@partner.example', given_name: 'Mara', groups: ['partners'] }));
      assert.equal(userinfo.name, 'Maria Local');
      assert.deepEqual(userinfo.groups ?? [], []);
    });

    test('a new address from the partner drops the verification the old one had', async () => {
      const { idToken } = await signInWith(world, 'portal', await partnerToken({ sub: 'vera-id', email: 'vera@partner.example' }));
      const user = (await world.server.services.users.findById(idToken.sub))!;
      await world.server.services.users.updateUser({ kind: 'cli', command: 'test' }, user.id, { profile: { ...user.profile, email_verified: true } });
      const same = await signInWith(world, 'portal', await partnerToken({ sub: 'vera-id', email: 'vera@partner.example', given_name: 'Vera' }));
      assert.equal(same.userinfo.email_verified, true, 'the same address keeps its verification');
      const moved = await signInWith(world, 'portal', await partnerToken({ sub: 'vera-id', email: 'vera.new@partner.example' }));
      assert.equal(moved.userinfo.email, 'vera.new@partner.example');
      assert.notEqual(moved.userinfo.email_verified, true);
    });

    test('an address too long for a user name still makes a user, named from a hash', async () => {
      const email = `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.example`;
      const { idToken, userinfo } = await signInWith(world, 'portal', await partnerToken({ sub: 'long-id', email }));
      assert.equal(userinfo.email, email);
      const user = await world.server.services.users.findById(idToken.sub);
      assert.match(user!.username, /^portal\.[0-9a-f]{32}$/);
    });

    test('a names too long together are cut to what a name may hold', async () => {
      const { userinfo } = await signInWith(world, 'portal', await partnerToken({ sub: 'long-names', given_name: 'G'.repeat(200), family_name: 'F'.repeat(200) }));
      assert.equal(String(userinfo.name).length, 300);
    });

    test('a partner\'s groups never grant gatehouse-admins, nor take it from an administrator', async () => {
      const { idToken, userinfo } = await signInWith(world, 'portal', await partnerToken({ sub: 'climber', email: 'climber@partner.example', groups: ['staff', 'gatehouse-admins'] }));
      assert.deepEqual(userinfo.groups, ['staff']);
      const user = (await world.server.services.users.findById(idToken.sub))!;
      await world.server.services.users.updateUser({ kind: 'cli', command: 'test' }, user.id, { groups: ['staff', 'gatehouse-admins'] });
      const again = await signInWith(world, 'portal', await partnerToken({ sub: 'climber', groups: ['editors'] }));
      assert.deepEqual(again.userinfo.groups, ['editors', 'gatehouse-admins'], 'the administrator\'s membership stays');
    });

    test('an exp with a fraction of a second, as RFC 7519 allows, signs in', async () => {
      const { userinfo } = await signInWith(world, 'portal', await partnerToken({ sub: 'fraction', email: 'fraction@partner.example', exp: Date.now() / 1000 + 60.25 }));
      assert.equal(userinfo.email, 'fraction@partner.example');
    });
  });
}
