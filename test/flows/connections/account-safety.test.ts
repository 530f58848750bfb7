/*
 * What an upstream may not do to accounts here: store an address it does not vouch for (which
 * would later pull the real owner's sign-ins into this account), or rewrite a user the
 * configuration file declares (the next start would undo it, and the file is the operator's).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { kim, oidcConnection } from './fixtures.js';
import { Person, signInThrough, startWorld, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`what an upstream cannot change here (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({
        dialect,
        connections: (upstream) => [
          oidcConnection('okta', upstream.discoveryUrl),
          oidcConnection('directory', upstream.discoveryUrl, { name: 'Corp Directory', provisioning: 'existing_users_only', update_profile: 'on_login' }),
        ],
      });
    });
    after(() => world?.close());

    test('an address the upstream does not vouch for is not kept, so it can never match the real owner later', async () => {
      const uma = { sub: '00u9uma', preferred_username: 'uma', email: 'ceo@corp.example.test', email_verified: false, name: 'Uma' };
      world.upstream.setUser(uma);
      const tokens = await signInThrough(world, new Person(world), 'okta', 'uma');
      const created = await world.server.services.users.findById(String(tokens.claims()?.sub));
      assert.equal(created?.username, 'uma');
      assert.equal(created?.email, undefined);
      assert.equal(await world.server.services.users.findByIdentifier('ceo@corp.example.test'), undefined);
      world.upstream.setUser({ ...uma, email: 'uma@corp.example.test', email_verified: true });
      await signInThrough(world, new Person(world), 'okta', 'uma');
      assert.equal((await world.server.services.users.findById(created!.id))?.email, 'uma@corp.example.test', 'a vouched-for address is kept at the next sign-in');
    });

    test('a user the configuration file declares keeps the file\'s profile, whatever the upstream says at sign-in', async () => {
      const local = (await world.server.services.users.findByUsername('kim'))!;
      assert.equal(local.owner, 'config_file');
      const tokens = await signInThrough(world, new Person(world), 'directory', 'kim');
      assert.equal(tokens.claims()?.sub, local.id);
      const after = (await world.server.services.users.findById(local.id))!;
      assert.equal(after.profile.name, 'Kim Local', `not "${kim.name}" from the upstream`);
      assert.equal(after.updatedAt, local.updatedAt, 'nothing was written');
    });
  });
}
