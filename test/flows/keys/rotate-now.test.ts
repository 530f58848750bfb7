/*
 * `gatehouse keys rotate --now`, for a compromised key, over the real server: within the
 * engine-switch bound the JWKS holds only the new keys and new id_tokens carry them; and its
 * documented cost: an id_token signed before no longer verifies, a relying party's JWKS cached
 * before does not know the new kid (one that fetches again on an unknown kid, as jose's remote
 * key set does, recovers), and a browser signed in before must sign in again; refresh tokens,
 * stored in the database, carry on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import type { Browser } from '../../helpers/browser.js';
import { gatehouse } from '../../helpers/cli.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { newBrowser } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { endpointBase } from '../../helpers/token-endpoint.js';
import {
  algorithms, clientIdFor, declarations, discoverRelyingParty, idTokensFrom, jwksOf, kidOf, kidsOf, stillSignedIn, switchBoundMs,
  tokensFrom, verifyWithKeySet, within, type Algorithm,
} from './steps.js';

for (const dialect of dialects) {
  describe(`a rotation at once, for a compromised key (${dialect})`, () => {
    let time: PinnedTime;
    let server: TestServer;
    let rp: oidc.Configuration;
    let signedIn: Browser;
    let signedBefore: Record<Algorithm, string>;
    let cachedBefore: JSONWebKeySet;
    let remote: ReturnType<typeof createRemoteJWKSet>;
    let newKids: string[];
    let refreshToken: string;

    before(async () => {
      time = pinTime(Date.UTC(2026, 11, 7, 9));
      server = await startServer({ declarations, dialect, clock: time });
      rp = await discoverRelyingParty(server);
      signedIn = newBrowser(server);
      await signIn(server, rp, 'openid', { browser: signedIn });
      signedBefore = await idTokensFrom(server);
      refreshToken = (await tokensFrom(server, 'RS256', 'openid offline_access')).refreshToken!;
      cachedBefore = await jwksOf(server);
      // A relying party with jose's remote key set: it fetched once (verifying a token) and keeps what it fetched.
      remote = createRemoteJWKSet(new URL(`${endpointBase(server)}/jwks`));
      await jwtVerify(signedBefore.RS256, remote, { issuer: server.issuer, audience: clientIdFor('RS256') });
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('gatehouse keys rotate --now: within the bound only the new keys are published, and new id_tokens carry them', async () => {
      // A rotation under way is replaced as well.
      assert.equal((await gatehouse(server, ['keys', 'rotate'])).code, 0);
      const everyEarlierKid = (await server.services.keys.list()).map((key) => key.kid);

      const result = await gatehouse(server, ['keys', 'rotate', '--now']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^keys replaced at once: the new keys sign on every instance within about a second\n/);
      const lines = result.stdout.split('\n').slice(1, 5).map((line) => line.split('\t'));
      assert.deepEqual(lines.map(([, purpose, status]) => `${purpose} ${status}`), ['signing:RS256', 'signing:ES256', 'signing:EdDSA', 'cookie'].map((p) => `${p} active`));
      newKids = lines.slice(0, 3).map(([kid]) => kid!);
      const removedLine = result.stdout.split('\n').find((line) => line.startsWith('removed at once'))!;
      for (const kid of everyEarlierKid) assert.ok(removedLine.includes(kid), `${kid} is named as removed`);

      await within(switchBoundMs, 'only the new keys published', async () => kidsOf(await jwksOf(server)).sort().join() === [...newKids].sort().join());
      const tokens = await idTokensFrom(server);
      const now = await jwksOf(server);
      for (const [i, alg] of algorithms.entries()) {
        assert.equal(kidOf(tokens[alg]), newKids[i], alg);
        await verifyWithKeySet(server, now, tokens[alg], alg);
      }
    });

    test('the cost: an id_token signed before no longer verifies against the JWKS', async () => {
      const now = await jwksOf(server);
      for (const alg of algorithms) {
        await assert.rejects(verifyWithKeySet(server, now, signedBefore[alg], alg), errors.JWKSNoMatchingKey, alg);
      }
    });

    test('the cost: a JWKS cached before does not know the new kid; a key set that fetches again on an unknown kid recovers', async () => {
      const token = (await idTokensFrom(server)).RS256;
      await assert.rejects(verifyWithKeySet(server, cachedBefore, token, 'RS256'), errors.JWKSNoMatchingKey);
      // jose fetches again on an unknown kid once its 30-second cooldown since the last fetch has passed.
      time.advance(31);
      const { payload } = await jwtVerify(token, remote, { issuer: server.issuer, audience: clientIdFor('RS256') });
      assert.equal(payload.aud, clientIdFor('RS256'));
    });

    test('the cost: a browser signed in before must sign in again (its cookie was signed with the removed cookie key)', async () => {
      assert.equal(await stillSignedIn(signedIn, rp), false);
    });

    test('what is stored in the database carries on: a refresh token from before gives an id_token with the new kid', async () => {
      const refreshed = await oidc.refreshTokenGrant(rp, refreshToken);
      assert.equal(kidOf(refreshed.id_token!), newKids[0]);
    });

    test('gatehouse keys list: the new keys only, all active', async () => {
      const result = await gatehouse(server, ['keys', 'list']);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split('\n').map((line) => line.split('\t'));
      assert.equal(lines.length, 4);
      assert.ok(lines.every(([, , status, , , step]) => status === 'active' && step === '-'));
      assert.deepEqual(lines.slice(0, 3).map(([kid]) => kid), newKids);
    });
  });
}
