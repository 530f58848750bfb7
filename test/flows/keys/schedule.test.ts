/*
 * The server runs the rotation schedule itself (src/gatehouse.ts): a rotation that came due while
 * no instance was running completes when one starts, within the engine-switch bound, with nobody
 * calling a step.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaults } from '../../../src/config/defaults.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { declarations, firstKidFor, jwksOf, kidOf, switchBoundMs, tokensFrom, within } from './steps.js';

for (const dialect of dialects) {
  describe(`the server's own rotation schedule (${dialect})`, () => {
    let time: PinnedTime;
    let server: TestServer;

    before(async () => {
      time = pinTime(Date.UTC(2026, 11, 7, 9));
      server = await startServer({ declarations, dialect, clock: time });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('a rotation that came due while the server was stopped completes at its start', async () => {
      const rotated = await gatehouse(server, ['keys', 'rotate']);
      assert.equal(rotated.code, 0, rotated.stderr);
      const newKid = rotated.stdout.split('\n')[1]!.split('\t')[0]!;
      time.advance(defaults.keys.publishBeforeUseSeconds);
      await server.restart();
      await within(switchBoundMs, 'the new key signing', async () => firstKidFor(await jwksOf(server), 'RS256') === newKid);
      assert.equal(kidOf((await tokensFrom(server, 'RS256')).idToken), newKid);
    });
  });
}
