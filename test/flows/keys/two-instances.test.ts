/*
 * A key rotation across two instances sharing one PostgreSQL database, time moved instead of
 * waited for: a rotation started through one instance's services is published by the other
 * within the engine-switch bound; both apply the due steps at once (as their schedules do) and
 * each step happens once; within the bound both sign with the new kid; an id_token from either
 * verifies with the other's JWKS, before the activation, after it (also one signed with the old
 * key a minute before), and with the JWKS cached right after the rotation; at the end of the
 * retention both stop publishing the old kids.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JSONWebKeySet } from 'jose';
import { defaults } from '../../../src/config/defaults.js';
import { retentionSeconds } from '../../../src/keys/key-timeline.js';
import { skipWithoutPostgres } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { algorithms, declarations, firstKidFor, idTokensFrom, jwksOf, kidOf, kidsOf, signsWith, switchBoundMs, verifyWithKeySet, within, type Algorithm } from './steps.js';

const operator = { kind: 'cli', command: 'keys rotate' } as const;
const schedule = { kind: 'system', reason: 'key rotation schedule' } as const;
const publishSeconds = defaults.keys.publishBeforeUseSeconds;

describe('a key rotation across two instances on one PostgreSQL database', { skip: skipWithoutPostgres }, () => {
  let time: PinnedTime;
  let first: TestServer;
  let second: TestServer;
  let oldKids: Record<Algorithm, string>;
  let newKids: Record<Algorithm, string>;
  let cached: JSONWebKeySet;
  let rotatedAt: number;

  before(async () => {
    time = pinTime(Date.UTC(2026, 11, 7, 9));
    first = await startServer({ declarations, dialect: 'postgres', clock: time });
    second = await first.startSibling();
    const jwks = await jwksOf(first);
    oldKids = Object.fromEntries(algorithms.map((alg) => [alg, firstKidFor(jwks, alg)!])) as Record<Algorithm, string>;
  });
  after(async () => {
    await first?.close();
    time?.release();
  });

  /** Both instances apply the due steps at the same moment, as two schedules may. */
  async function bothStep() {
    return (await Promise.all([first.services.keys.advanceRotations(schedule), second.services.keys.advanceRotations(schedule)])).flat();
  }

  test('a rotation through the first instance is published by the second within the bound', async () => {
    const rotation = await first.services.keys.rotate(operator);
    rotatedAt = time.now();
    newKids = Object.fromEntries(algorithms.map((alg, i) => [alg, rotation.stored[i]!.kid])) as Record<Algorithm, string>;
    const took = await within(switchBoundMs, 'the second instance publishing the new kids', async () => kidsOf(await jwksOf(second)).length === 6);
    assert.ok(took <= switchBoundMs);
    cached = await jwksOf(second);
    for (const alg of algorithms) assert.deepEqual(cached.keys.filter((key) => key.alg === alg).map((key) => key.kid), [oldKids[alg], newKids[alg]]);
    await within(switchBoundMs, 'the first instance publishing the new kids', async () => kidsOf(await jwksOf(first)).length === 6);
  });

  test('until the activation both sign with the old keys, and a token from one verifies with the other\'s JWKS', async () => {
    for (const [from, other] of [[first, second], [second, first]] as const) {
      const tokens = await idTokensFrom(from);
      const othersKeys = await jwksOf(other);
      for (const alg of algorithms) {
        assert.equal(kidOf(tokens[alg]), oldKids[alg]);
        await verifyWithKeySet(first, othersKeys, tokens[alg], alg);
      }
    }
  });

  let signedJustBefore: Record<Algorithm, string>;

  test('at the due time both instances apply the step at once: each key is activated once, and within the bound both sign with the new kid', async () => {
    time.advance(publishSeconds - 60);
    assert.deepEqual(await bothStep(), [], 'not yet');
    signedJustBefore = await idTokensFrom(first);
    time.advance(60);
    const changes = await bothStep();
    assert.equal(changes.filter((c) => c.change === 'activated').length, 4, JSON.stringify(changes));
    assert.equal(changes.filter((c) => c.change === 'retired').length, 4);
    for (const server of [first, second]) {
      await within(switchBoundMs, `${server.url} signing with the new keys`, async () => signsWith(await jwksOf(server), newKids));
    }
    for (const [from, other] of [[first, second], [second, first]] as const) {
      const tokens = await idTokensFrom(from);
      const othersKeys = await jwksOf(other);
      for (const alg of algorithms) {
        assert.equal(kidOf(tokens[alg]), newKids[alg], `${from.url} ${alg}`);
        await verifyWithKeySet(first, othersKeys, tokens[alg], alg);
        await verifyWithKeySet(first, cached, tokens[alg], alg);
        await verifyWithKeySet(first, othersKeys, signedJustBefore[alg], alg);
      }
    }
  });

  test('at the end of the retention both instances stop publishing the old kids within the bound', async () => {
    const removal = rotatedAt + (publishSeconds + retentionSeconds('signing:RS256')) * 1000;
    time.advance((removal - time.now()) / 1000);
    const changes = await bothStep();
    assert.equal(changes.filter((c) => c.change === 'removed').length, 4, JSON.stringify(changes));
    for (const server of [first, second]) {
      await within(switchBoundMs, `${server.url} without the old kids`, async () => kidsOf(await jwksOf(server)).length === 3);
      assert.deepEqual(kidsOf(await jwksOf(server)).sort(), Object.values(newKids).sort());
    }
    const tokens = await idTokensFrom(second);
    for (const alg of algorithms) await verifyWithKeySet(first, await jwksOf(first), tokens[alg], alg);
  });
});
