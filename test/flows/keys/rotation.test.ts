/*
 * A scheduled key rotation over the real server, with time moved instead of waited for. What is
 * tested, in order on one timeline (T = the moment of `gatehouse keys rotate`):
 * - from T, within the engine-switch bound, the JWKS publishes the old and the new kid of every
 *   algorithm, and id_tokens are still signed with the old ones;
 * - a relying party that fetched the JWKS once right after T and never again verifies every
 *   id_token issued from then on, before and after the activation, by any algorithm;
 * - a second before T + publish period nothing changes; at T + publish period the schedule's step
 *   activates the new keys and, within the bound, new id_tokens carry the new kid; an id_token
 *   signed with the old key a minute before still verifies against the JWKS as fetched now;
 *   a refresh token from before gives an id_token with the new kid;
 * - a browser signed in before T stays signed in (its cookie, signed with the retired cookie key,
 *   is accepted and re-signed); an RP-initiated logout with an id_token_hint signed with a
 *   retired key, days later, is accepted;
 * - at the retired keys' removal time the old kids leave the JWKS, and a browser that kept using
 *   its session is still signed in;
 * - `gatehouse keys list` at each stage, and `keys rotate` refused while a rotation is under way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { defaults } from '../../../src/config/defaults.js';
import { retentionSeconds } from '../../../src/keys/key-timeline.js';
import { expectPage, type Browser } from '../../helpers/browser.js';
import { gatehouse } from '../../helpers/cli.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import {
  algorithms, declarations, discoverRelyingParty, firstKidFor, idTokensFrom, jwksOf, kidOf, kidsOf, postLogoutRedirectUri,
  stillSignedIn, switchBoundMs, tokensFrom, verifyWithKeySet, signsWith, within, type Algorithm } from './steps.js';

const publishSeconds = defaults.keys.publishBeforeUseSeconds;
const day = 24 * 60 * 60;
const schedule = { kind: 'system', reason: 'key rotation schedule' } as const;
const iso = (ms: number) => new Date(ms).toISOString();

/** `gatehouse keys list`, its lines split into fields. */
async function listed(server: TestServer): Promise<string[][]> {
  const result = await gatehouse(server, ['keys', 'list']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim().split('\n').map((line) => line.split('\t'));
}

for (const dialect of dialects) {
  describe(`a scheduled key rotation (${dialect})`, () => {
    let time: PinnedTime;
    let server: TestServer;
    let rp: oidc.Configuration;
    let oldKids: Record<Algorithm, string>;
    let newKids: Record<Algorithm, string>;
    let rotatedAt: number;
    /** The relying party's copy of the JWKS, fetched once right after the rotation started. */
    let cached: JSONWebKeySet;
    /** Signed in before the rotation; keeps using its session throughout. */
    let steady: Browser;
    /** Signed in before the rotation; logs out days after the activation. */
    let leaving: { browser: Browser; idToken: string };
    let refreshToken: string;

    before(async () => {
      time = pinTime(Date.UTC(2026, 11, 7, 9));
      server = await startServer({ declarations, dialect, clock: time });
      rp = await discoverRelyingParty(server);
      const jwks = await jwksOf(server);
      oldKids = Object.fromEntries(algorithms.map((alg) => [alg, firstKidFor(jwks, alg)!])) as Record<Algorithm, string>;
      steady = newBrowser(server);
      await signIn(server, rp, 'openid', { browser: steady });
      const leavingBrowser = newBrowser(server);
      leaving = { browser: leavingBrowser, idToken: (await signIn(server, rp, 'openid', { browser: leavingBrowser })).id_token! };
      refreshToken = (await tokensFrom(server, 'RS256', 'openid offline_access')).refreshToken!;
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('gatehouse keys rotate: the old and the new kid of every algorithm are published within the bound', async () => {
      const result = await gatehouse(server, ['keys', 'rotate']);
      assert.equal(result.code, 0, result.stderr);
      rotatedAt = time.now();
      const activation = iso(rotatedAt + publishSeconds * 1000);
      assert.match(result.stdout, new RegExp(`^rotation started: the new keys are published now and sign from ${activation}\n`));
      const lines = result.stdout.trim().split('\n').slice(1).map((line) => line.split('\t'));
      assert.deepEqual(lines.map(([, purpose, status, , , step]) => `${purpose} ${status} ${step}`),
        ['signing:RS256', 'signing:ES256', 'signing:EdDSA', 'cookie'].map((purpose) => `${purpose} next activates at ${activation}`));
      newKids = Object.fromEntries(algorithms.map((alg, i) => [alg, lines[i]![0]!])) as Record<Algorithm, string>;

      await within(switchBoundMs, 'the new kids in the JWKS', async () => kidsOf(await jwksOf(server)).length === 6);
      cached = await jwksOf(server);
      for (const alg of algorithms) {
        assert.deepEqual(cached.keys.filter((key) => key.alg === alg).map((key) => key.kid), [oldKids[alg], newKids[alg]], `${alg}: the signing key first`);
      }
      for (const key of cached.keys) assert.equal(key.d, undefined, 'public parts only');
    });

    test('until the activation, id_tokens are signed with the old keys, and verify with the JWKS as cached', async () => {
      const tokens = await idTokensFrom(server);
      for (const alg of algorithms) {
        assert.equal(kidOf(tokens[alg]), oldKids[alg], alg);
        await verifyWithKeySet(server, cached, tokens[alg], alg);
      }
    });

    test('gatehouse keys list: the waiting keys with their activation time, the active ones, no private part', async () => {
      const lines = await listed(server);
      assert.deepEqual(lines.map(([kid, purpose, status]) => `${purpose} ${status} ${kid}`), [
        ...algorithms.flatMap((alg) => [`signing:${alg} active ${oldKids[alg]}`, `signing:${alg} next ${newKids[alg]}`]),
        `cookie active ${lines[6]![0]}`, `cookie next ${lines[7]![0]}`,
      ]);
      for (const [, , status, created, changed, step] of lines) {
        if (status === 'next') {
          assert.equal(created, iso(rotatedAt));
          assert.equal(changed, iso(rotatedAt));
          assert.equal(step, `activates at ${iso(rotatedAt + publishSeconds * 1000)}`);
        } else {
          assert.equal(step, '-');
        }
      }
      const output = (await gatehouse(server, ['keys', 'list'])).stdout;
      const secrets = await server.services.keys.engineKeys();
      for (const jwk of secrets.signingKeys) assert.ok(!output.includes(jwk.d!), `no private part of ${jwk.kid}`);
      for (const cookieKey of secrets.cookieKeys) assert.ok(!output.includes(cookieKey), 'no cookie key');
    });

    test('gatehouse keys rotate while a rotation is under way: refused, saying when it completes; nothing changes', async () => {
      const before = await listed(server);
      const result = await gatehouse(server, ['keys', 'rotate']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`a key rotation is under way: its new keys become active at ${iso(rotatedAt + publishSeconds * 1000)}`));
      assert.deepEqual(await listed(server), before);
    });

    let signedJustBefore: Record<Algorithm, string>;

    test('a minute before the end of the publish period the schedule changes nothing: still the old keys', async () => {
      time.advance(publishSeconds - 60);
      assert.deepEqual(await server.services.keys.advanceRotations(schedule), []);
      signedJustBefore = await idTokensFrom(server);
      for (const alg of algorithms) assert.equal(kidOf(signedJustBefore[alg]), oldKids[alg]);
    });

    test('at the end of the publish period the schedule activates the new keys: within the bound every new id_token has the new kid and verifies with the JWKS cached at the rotation', async () => {
      time.advance(60);
      const changes = await server.services.keys.advanceRotations(schedule);
      const signing = (change: string) => changes.filter((c) => c.change === change && c.purpose !== 'cookie').map((c) => c.kid).sort();
      assert.deepEqual(signing('activated'), Object.values(newKids).sort());
      assert.deepEqual(signing('retired'), Object.values(oldKids).sort());
      assert.equal(changes.length, 8, 'and the cookie keys');
      await within(switchBoundMs, 'the engine signing with the new keys', async () => signsWith(await jwksOf(server), newKids));

      const tokens = await idTokensFrom(server);
      const now = await jwksOf(server);
      for (const alg of algorithms) {
        assert.equal(kidOf(tokens[alg]), newKids[alg], alg);
        await verifyWithKeySet(server, cached, tokens[alg], alg);
        // Signed with the old key a minute ago, still within its lifetime: verifies with the JWKS as it is now, and as cached.
        await verifyWithKeySet(server, now, signedJustBefore[alg], alg);
        await verifyWithKeySet(server, cached, signedJustBefore[alg], alg);
      }
      assert.deepEqual(kidsOf(now).sort(), kidsOf(cached).sort(), 'the same keys are published: nothing to fetch');
    });

    test('a refresh token from before the rotation gives an id_token with the new kid', async () => {
      const refreshed = await oidc.refreshTokenGrant(rp, refreshToken);
      assert.equal(kidOf(refreshed.id_token!), newKids.RS256);
      await verifyWithKeySet(server, cached, refreshed.id_token!, 'RS256');
    });

    test('gatehouse keys list: the new keys active, the old ones retired with their removal time', async () => {
      const activatedAt = rotatedAt + publishSeconds * 1000;
      for (const [kid, purpose, status, , changed, step] of await listed(server)) {
        assert.equal(changed, iso(activatedAt), kid);
        if (status === 'retired') assert.equal(step, `removed at ${iso(activatedAt + retentionSeconds(purpose!) * 1000)}`);
        else assert.equal(status, 'active');
      }
    });

    test('a browser signed in before the rotation is still signed in: its cookie, signed with the retired cookie key, is accepted', async () => {
      assert.equal(await stillSignedIn(steady, rp), true);
    });

    test('a week later, the session is used again (its cookie signed with the new cookie key since the last use)', async () => {
      time.advance(7 * day);
      assert.equal(await stillSignedIn(steady, rp), true);
    });

    test('thirteen days after sign-in, RP-initiated logout with an id_token_hint signed with the retired key is accepted', async () => {
      time.advance(5 * day);
      assert.equal(kidOf(leaving.idToken), oldKids.RS256);
      const endSession = oidc.buildEndSessionUrl(rp, { id_token_hint: leaving.idToken, post_logout_redirect_uri: postLogoutRedirectUri });
      const page = expectPage(await leaving.browser.get(endSession.toString()));
      assert.equal(page.status, 200, page.body.slice(0, 500));
      assert.ok(page.document.querySelector('form#op\\.logoutForm'), 'the logout confirmation, not an error');
    });

    test('at the end of the retention the old kids leave the JWKS within the bound; the new ones stay', async () => {
      const removal = rotatedAt + publishSeconds * 1000 + retentionSeconds('signing:RS256') * 1000;
      time.advance((removal - time.now()) / 1000 - 1);
      assert.deepEqual(await server.services.keys.advanceRotations(schedule), [], 'not a second early');
      time.advance(1);
      const changes = await server.services.keys.advanceRotations(schedule);
      assert.deepEqual(changes.map((c) => c.change), ['removed', 'removed', 'removed', 'removed']);
      await within(switchBoundMs, 'the old kids gone', async () => kidsOf(await jwksOf(server)).length === 3);
      assert.deepEqual(kidsOf(await jwksOf(server)).sort(), Object.values(newKids).sort());
      assert.deepEqual((await listed(server)).map(([kid, , status]) => `${status} ${kid}`).slice(0, 3), algorithms.map((alg) => `active ${newKids[alg]}`));
    });

    test('a browser that kept using its session is still signed in after the old cookie key is removed', async () => {
      assert.equal(await stillSignedIn(steady, rp), true);
    });

    test('and a new rotation may start', async () => {
      const result = await gatehouse(server, ['keys', 'rotate']);
      assert.equal(result.code, 0, result.stderr);
    });
  });
}
