/*
 * Signing in with a partner's signed JWT (issue 16, seed 003), driven as the partner's portal
 * would: Gatehouse sends the browser to the partner's sign-in URL with gatehouse_callback_url,
 * the partner sends it back there with a token it signed (jose), and the downstream
 * application receives Gatehouse's tokens for the Gatehouse user.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { jwtConnection, portalSignInUrl } from './fixtures.js';
import { callbackOf, departThroughButton, finish, partnerToken, Person, signInWith, startWorld, userNamed, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`signing in with a partner's JWT (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({
        dialect,
        connections: [
          jwtConnection('portal'),
          jwtConnection('seed', { require_jti: false }),
          jwtConnection('members', { provisioning: 'existing_users_only' }),
        ],
      });
    });
    after(() => world?.close());

    test('the login page shows a button per partner, and it leads to the partner with a callback URL that carries an opaque state', async () => {
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, 'portal');
      assert.equal(`${signInUrl.origin}${signInUrl.pathname}`, portalSignInUrl);
      const callback = callbackOf(signInUrl);
      assert.equal(`${callback.origin}${callback.pathname}`, `${world.server.issuer.replace(/\/oidc$/, '')}/login/jwt/portal`);
      assert.match(callback.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    });

    test("the seed's minimal payload {exp, email} signs a new user in on a connection without require_jti, and the application gets Gatehouse's tokens", async () => {
      const { idToken, userinfo } = await signInWith(world, 'seed', await partnerToken({ email: 'newcomer@partner.example', jti: undefined }));
      const user = await userNamed(world.server, 'newcomer@partner.example');
      assert.ok(user, 'a user was created');
      assert.equal(idToken.sub, user.id);
      assert.deepEqual(idToken.amr, ['fed']);
      assert.equal(userinfo.email, 'newcomer@partner.example');
      assert.match(String(userinfo.name), /^SsoVisitor [A-Z2-9]{6}$/, 'a readable generated name, as the seed makes one');
    });

    test("the seed's full payload signs in with names and groups; a second sign-in with fewer claims leaves the others as they were", async () => {
      const full = { sub: '123456', email: 'johndoe@partner.example', given_name: 'John', family_name: 'Doe', groups: ['group_developer_name1', 'group_developer_name2'] };
      const first = await signInWith(world, 'portal', await partnerToken(full));
      assert.equal(first.userinfo.name, 'John Doe');
      assert.equal(first.userinfo.given_name, 'John');
      assert.deepEqual(first.userinfo.groups, ['group_developer_name1', 'group_developer_name2']);
      const second = await signInWith(world, 'portal', await partnerToken({ sub: '123456', given_name: 'Johnny' }));
      assert.equal(second.idToken.sub, first.idToken.sub, 'the same user');
      assert.equal(second.userinfo.name, 'Johnny Doe', 'a claim present overwrites, and the name follows');
      assert.equal(second.userinfo.family_name, 'Doe');
      assert.equal(second.userinfo.email, 'johndoe@partner.example', 'an omitted email stays');
      assert.deepEqual(second.userinfo.groups, ['group_developer_name1', 'group_developer_name2'], 'omitted groups stay');
      const third = await signInWith(world, 'portal', await partnerToken({ sub: '123456', groups: ['group_developer_name2'] }));
      assert.deepEqual(third.userinfo.groups, ['group_developer_name2'], 'present groups are exactly the membership');
    });

    test('sub is matched first: a changed email keeps the account, and the new address is stored', async () => {
      const first = await signInWith(world, 'portal', await partnerToken({ sub: 'u-77', email: 'kate@partner.example' }));
      const second = await signInWith(world, 'portal', await partnerToken({ sub: 'u-77', email: 'kate.married@partner.example' }));
      assert.equal(second.idToken.sub, first.idToken.sub);
      assert.equal(second.userinfo.email, 'kate.married@partner.example');
    });

    test('then the email: an existing user is found by address and linked to the sub from then on', async () => {
      const maria = await userNamed(world.server, 'maria');
      const byEmail = await signInWith(world, 'portal', await partnerToken({ sub: 'p-maria', email: 'maria@partner.example' }));
      assert.equal(byEmail.idToken.sub, maria!.id);
      const bySub = await signInWith(world, 'portal', await partnerToken({ sub: 'p-maria', email: 'maria.new@partner.example' }));
      assert.equal(bySub.idToken.sub, maria!.id, 'the linked sub finds her under a new address');
    });

    test('existing_users_only signs in a known address and refuses an unknown one, creating nobody', async () => {
      const maria = await userNamed(world.server, 'maria');
      const known = await signInWith(world, 'members', await partnerToken({ email: (await userNamed(world.server, 'maria'))!.email! }));
      assert.equal(known.idToken.sub, maria!.id);
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, 'members');
      const page = expectPage(await person.returnWith(signInUrl, await partnerToken({ sub: 'stranger', email: 'stranger@partner.example' })));
      assert.equal(page.status, 403);
      assert.match(page.document.querySelector('.error')?.text ?? '', /only people who already have an account here may sign in/);
      assert.equal(await userNamed(world.server, 'stranger@partner.example'), undefined);
    });

    test('an auto-submitting form (POST) works as the redirect (GET) does', async () => {
      const person = new Person(world);
      const { pending, signInUrl } = await departThroughButton(world, person, 'portal');
      const back = await person.approveIfAsked(await person.postBack(signInUrl, await partnerToken({ sub: 'poster', email: 'poster@partner.example' })));
      const { userinfo } = await finish(world, pending, back);
      assert.equal(userinfo.email, 'poster@partner.example');
    });

    test('connection= on the authorization request goes straight to the partner', async () => {
      const person = new Person(world);
      const pending = await startAuthorization(world.app, 'openid email', { connection: 'portal' });
      const sent = await person.open(pending.url);
      assert.ok(!('body' in sent), 'no login page');
      const signInUrl = new URL(sent.redirectedTo);
      assert.equal(`${signInUrl.origin}${signInUrl.pathname}`, portalSignInUrl);
      const back = await person.approveIfAsked(await person.returnWith(signInUrl, await partnerToken({ sub: 'direct', email: 'direct@partner.example' })));
      assert.equal((await finish(world, pending, back)).userinfo.email, 'direct@partner.example');
    });
  });
}
