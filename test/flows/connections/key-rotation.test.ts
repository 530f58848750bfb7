/*
 * An upstream that rotates its signing key (issue 15, point 2: JWKS refetched on an unknown kid):
 * the sign-ins after it still verify, and only against keys the upstream publishes.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { oidcConnection } from './fixtures.js';
import { Person, signInThrough, startWorld, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`an upstream that rotates its signing key (${dialect})`, () => {
    let world: World;
    let time: PinnedTime;

    before(async () => {
      time = pinTime();
      world = await startWorld({ dialect, clock: time, connections: (upstream) => [oidcConnection('okta', upstream.discoveryUrl)] });
    });
    afterEach(() => world.upstream.resetSwitches());
    after(async () => {
      await world?.close();
      time?.release();
    });

    test('a token signed with the new key verifies once the cached key set may be refreshed', async () => {
      const first = await signInThrough(world, new Person(world), 'okta', 'ann');
      assert.ok(first.claims()?.sub, 'a sign-in with the first key caches its key set');
      world.upstream.switches.rotatedKey = true;
      // openid-client refetches a key set for an unknown kid once its copy is 60 seconds old, so
      // that a flood of unknown kids cannot make Gatehouse hammer the upstream.
      time.advance(61);
      const second = await signInThrough(world, new Person(world), 'okta', 'ann');
      assert.equal(second.claims()?.sub, first.claims()?.sub, 'the same user, through the new key');
    });
  });
}
