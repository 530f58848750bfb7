/*
 * `provisioning: existing_users_only` (Federated Directory's rule, seed 001): only people
 * Gatehouse knows sign in, matched by the username claim against the user name, or by email
 * when the upstream says email_verified: true. Anyone else meets a page that says why, and
 * nothing is created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { ann, ben, dan, kim, lou, oidcConnection } from './fixtures.js';
import { failureOf, linksOf, Person, refusedThrough, signInThrough, startWorld, whatExists, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`existing_users_only (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({
        dialect,
        connections: (upstream) => [oidcConnection('directory', upstream.discoveryUrl, { name: 'Corp Directory', provisioning: 'existing_users_only', update_profile: 'never' })],
      });
    });
    after(() => world?.close());

    const refusedAfterUpstream = (subject: string) => refusedThrough(world, 'directory', subject);

    test('an upstream user Gatehouse does not know is refused with a page naming the reason, and nothing is created', async () => {
      const before = await whatExists(world.server);
      const page = await refusedAfterUpstream(ann.sub);
      assert.equal(page.status, 403);
      const { message } = failureOf(page);
      assert.match(message, /Corp Directory signed you in as ann, but only people who already have an account here may sign in with Corp Directory/);
      assert.ok(page.document.querySelector('form[action$="/password/login"]'), 'the login page, to sign in another way');
      assert.equal(await world.server.services.users.findByUsername('ann'), undefined);
      assert.deepEqual(await linksOf(world.server, ann.sub), []);
      assert.deepEqual(await whatExists(world.server), before);
    });

    test('a known user signs in to the account of the same user name, linked from then on', async () => {
      const local = await world.server.services.users.findByUsername('kim');
      const tokens = await signInThrough(world, new Person(world), 'directory', 'kim');
      assert.equal(tokens.claims()?.sub, local?.id);
      assert.deepEqual(await linksOf(world.server, kim.sub), [local?.id]);
      assert.equal((await world.server.services.users.findById(local!.id))?.profile.name, 'Kim Local', 'update_profile: never');
    });

    test('an upstream user whose verified email is a user\'s here signs in to that account', async () => {
      const local = await world.server.services.users.findByUsername('louise');
      const tokens = await signInThrough(world, new Person(world), 'directory', lou.preferred_username!);
      assert.equal(tokens.claims()?.sub, local?.id);
      assert.deepEqual(await linksOf(world.server, lou.sub), [local?.id]);
    });

    test('an upstream user matching a disabled account is refused, and the account is not linked', async () => {
      const before = await whatExists(world.server);
      const page = await refusedAfterUpstream(dan.sub);
      assert.equal(page.status, 403);
      assert.match(failureOf(page).message, /disabled/);
      assert.deepEqual(await linksOf(world.server, dan.sub), []);
      assert.deepEqual(await whatExists(world.server), before);
    });

    test('an email the upstream does not vouch for matches nobody', async () => {
      const before = await whatExists(world.server);
      const page = await refusedAfterUpstream(ben.sub);
      assert.equal(page.status, 403);
      assert.match(failureOf(page).message, /signed you in as ben/);
      assert.deepEqual(await linksOf(world.server, ben.sub), [], 'bernard, who has that address here, is not linked');
      assert.deepEqual(await whatExists(world.server), before);
    });

    test('an administrator\'s account is not matched by an upstream user of the same name', async () => {
      await world.server.services.users.createUser({ kind: 'cli', command: 'test' }, { username: 'ann', groups: ['gatehouse-admins'], credential: { password: 'ann administers this place' } });
      const before = await whatExists(world.server);
      const page = await refusedAfterUpstream(ann.sub);
      assert.equal(page.status, 403);
      assert.match(failureOf(page).message, /is an administrator's, which no sign-in takes over/);
      assert.deepEqual(await linksOf(world.server, ann.sub), []);
      assert.deepEqual(await whatExists(world.server), before);
      await world.server.services.users.deleteUser({ kind: 'cli', command: 'test' }, (await world.server.services.users.findByUsername('ann'))!.id);
    });

    test('an address nobody verified here matches nobody, even one the upstream vouches for: a partner or a typo may have put it there', async () => {
      await world.server.services.users.createUser({ kind: 'cli', command: 'test' }, { username: 'anna', email: ann.email, profile: { name: 'Anna, unverified' } });
      const before = await whatExists(world.server);
      const page = await refusedAfterUpstream(ann.sub);
      assert.equal(page.status, 403);
      assert.deepEqual(await linksOf(world.server, ann.sub), [], 'anna is not linked');
      assert.deepEqual(await whatExists(world.server), before);
    });
  });
}
