/*
 * Keys through the management API, over HTTP on the real server, time moved instead of waited
 * for: the listing shows public facts only; a rotation started through the API is published
 * before it signs, a second one is refused while it is under way, and once the publish period
 * is over and the rotation step runs, new id_tokens carry the new kid while one signed before
 * still verifies against the JWKS; a rotation at once replaces every key. On PostgreSQL, a
 * sibling instance follows a rotation started through the first one's API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JSONWebKeySet } from 'jose';
import { defaults } from '../../../src/config/defaults.js';
import { dialects, skipWithoutPostgres } from '../../helpers/databases.js';
import { apiClient, automation, callApi, machineToken, type ApiAnswer, type ApiClient } from '../../helpers/management-api.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { algorithms, declarations as keyDeclarations, signsWith, idTokensFrom, jwksOf, kidOf, kidsOf, switchBoundMs, verifyWithKeySet, within, type Algorithm } from '../keys/steps.js';

const publishSeconds = defaults.keys.publishBeforeUseSeconds;
const schedule = { kind: 'system', reason: 'key rotation schedule' } as const;
const declarations = { ...keyDeclarations, applications: [...keyDeclarations.applications, automation] };
const purposes = ['signing:RS256', 'signing:ES256', 'signing:EdDSA', 'cookie'];
/** What a JWK may show of an RSA, EC or OKP key; a private member (d, p, q, dp, dq, qi) is none of them. */
const publicMembers = new Set(['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e']);
const iso = (ms: number) => new Date(ms).toISOString();

interface KeyItem { kid: string; purpose: string; alg: string | null; status: string; activates_at: string | null; retires_at: string | null; removed_at: string | null; public_jwk: Record<string, string> | null }

const kidsByAlg = (items: KeyItem[], status: string) =>
  Object.fromEntries(algorithms.map((alg) => [alg, items.find((key) => key.alg === alg && key.status === status)!.kid])) as Record<Algorithm, string>;

/** The engine signs with the first key of an algorithm; each key is activated in a change of its own, so every algorithm is awaited. */
for (const dialect of dialects) {
  describe(`keys through the management API (${dialect})`, () => {
    let time: PinnedTime;
    let server: TestServer;
    let api: ApiClient;
    const answers: ApiAnswer[] = [];
    /** Every private part and cookie key the server held at some point: none may appear in an answer. */
    const secrets = new Set<string>();
    let oldKids: Record<Algorithm, string>;
    let newKids: Record<Algorithm, string>;
    let rotatedAt: number;

    /** A fresh token (the last one may have expired as time moved), every answer kept for the final check. */
    async function caller(): Promise<ApiClient> {
      const plain = apiClient(server, await machineToken(server));
      const kept = async (answer: Promise<ApiAnswer>) => (answers.push(await answer), answers.at(-1)!);
      return { ...plain, get: (path) => kept(plain.get(path)), post: (path, body) => kept(plain.post(path, body)) };
    }
    async function noteSecrets() {
      const held = await server.services.keys.engineKeys();
      for (const jwk of held.signingKeys) secrets.add(jwk.d!);
      for (const cookieKey of held.cookieKeys) secrets.add(cookieKey);
    }

    before(async () => {
      time = pinTime(Date.UTC(2026, 11, 7, 9));
      server = await startServer({ declarations, dialect, clock: time });
      api = await caller();
      await noteSecrets();
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('GET /keys: every key\'s public facts, a signing key\'s public JWK as the JWKS publishes it, nothing of the cookie key', async () => {
      const { status, body } = await api.get('/keys');
      assert.equal(status, 200);
      const items = body.items as KeyItem[];
      assert.deepEqual(items.map((key) => `${key.purpose} ${key.alg} ${key.status}`), ['signing:RS256 RS256 active', 'signing:ES256 ES256 active', 'signing:EdDSA EdDSA active', 'cookie null active']);
      const jwks = await jwksOf(server);
      for (const key of items.slice(0, 3)) assert.deepEqual(key.public_jwk, jwks.keys.find((published) => published.kid === key.kid));
      assert.equal(items[3]!.public_jwk, null);
      for (const key of items) assert.deepEqual([key.activates_at, key.retires_at, key.removed_at], [null, null, null]);
      oldKids = kidsByAlg(items, 'active');
    });

    let cached: JSONWebKeySet;

    test('POST /keys/rotate: the new keys are published within the bound, while id_tokens are still signed with the old ones', async () => {
      const rotation = await api.post('/keys/rotate');
      assert.equal(rotation.status, 200, JSON.stringify(rotation.body));
      rotatedAt = time.now();
      const activation = iso(rotatedAt + publishSeconds * 1000);
      const stored = rotation.body.stored as KeyItem[];
      assert.deepEqual(stored.map((key) => `${key.purpose} ${key.status} ${key.activates_at}`), purposes.map((purpose) => `${purpose} next ${activation}`));
      assert.deepEqual([rotation.body.applied, rotation.body.removed], [[], []]);
      newKids = kidsByAlg(stored, 'next');
      await noteSecrets();

      await within(switchBoundMs, 'the new kids in the JWKS', async () => kidsOf(await jwksOf(server)).length === 6);
      cached = await jwksOf(server);
      for (const alg of algorithms) assert.deepEqual(cached.keys.filter((key) => key.alg === alg).map((key) => key.kid), [oldKids[alg], newKids[alg]]);
      const tokens = await idTokensFrom(server);
      for (const alg of algorithms) assert.equal(kidOf(tokens[alg]), oldKids[alg], `${alg} still signs with the old key`);

      const items = (await api.get('/keys')).body.items as KeyItem[];
      for (const key of items.filter((item) => item.status === 'active')) assert.equal(key.retires_at, activation, `${key.purpose} retires at the activation`);
    });

    test('another rotation while this one is under way: 409 conflict, saying when it completes; nothing changes', async () => {
      const listed = (await api.get('/keys')).body;
      const refused = await api.post('/keys/rotate', {});
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'conflict');
      assert.match(refused.body.detail, new RegExp(`active at ${iso(rotatedAt + publishSeconds * 1000)}.*"immediately": true`));
      // curl -X POST sends no body at all: the same request, not a malformed one.
      const bodiless = await callApi(server, await machineToken(server), 'POST', '/keys/rotate');
      assert.deepEqual([bodiless.status, bodiless.body.code], [409, 'conflict']);
      assert.deepEqual((await api.get('/keys')).body, listed);
    });

    test('past the publish period and a rotation step, new id_tokens carry the new kid within the bound; one signed before still verifies', async () => {
      time.advance(publishSeconds - 60);
      const signedBefore = await idTokensFrom(server);
      time.advance(60);
      api = await caller();
      // The step the instance's schedule takes every minute, taken now; whoever comes first applies it.
      await server.services.keys.advanceRotations(schedule);
      await within(switchBoundMs, 'the engine signing with the new keys', async () => signsWith(await jwksOf(server), newKids));
      const tokens = await idTokensFrom(server);
      const now = await jwksOf(server);
      for (const alg of algorithms) {
        assert.equal(kidOf(tokens[alg]), newKids[alg], alg);
        assert.equal(kidOf(signedBefore[alg]), oldKids[alg]);
        await verifyWithKeySet(server, now, signedBefore[alg], alg);
        await verifyWithKeySet(server, cached, tokens[alg], alg);
      }
      const items = (await api.get('/keys')).body.items as KeyItem[];
      const retired = items.filter((key) => key.status === 'retired');
      assert.deepEqual(retired.map((key) => key.kid).filter((kid) => Object.values(oldKids).includes(kid)).sort(), Object.values(oldKids).sort());
      for (const key of retired) assert.ok(key.removed_at! > iso(time.now()), `${key.kid} is removed later`);
      assert.deepEqual(kidsByAlg(items, 'active'), newKids);
    });

    test('a rotation at once: bad bodies are refused naming the field; then only the new keys are published, and sign', async () => {
      for (const [body, path] of [[{ immediately: 'yes' }, 'body.immediately'], [{ immediately: true, now: true }, 'body.now']] as const) {
        const refused = await api.post('/keys/rotate', body);
        assert.equal(refused.status, 400);
        assert.deepEqual(refused.body.details.map((detail: { path: string }) => detail.path), [path]);
      }
      const replaced = await api.post('/keys/rotate', { immediately: true });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.deepEqual((replaced.body.stored as KeyItem[]).map((key) => `${key.purpose} ${key.status}`), purposes.map((purpose) => `${purpose} active`));
      assert.equal(replaced.body.removed.length, 8, 'the active and the retired keys of every purpose');
      await noteSecrets();
      const fresh = kidsByAlg(replaced.body.stored, 'active');
      await within(switchBoundMs, 'only the new keys published', async () => kidsOf(await jwksOf(server)).sort().join() === Object.values(fresh).sort().join());
      const tokens = await idTokensFrom(server);
      for (const alg of algorithms) assert.equal(kidOf(tokens[alg]), fresh[alg]);
    });

    test('no answer showed a private part or a cookie key', () => {
      const jwks = answers.flatMap((answer) => [...(answer.body.items ?? []), ...(answer.body.stored ?? []), ...(answer.body.removed ?? [])]
        .map((key: KeyItem) => key.public_jwk).filter((jwk): jwk is Record<string, string> => jwk !== null));
      assert.ok(jwks.length > 20);
      for (const jwk of jwks) assert.deepEqual(Object.keys(jwk).filter((member) => !publicMembers.has(member)), [], jwk.kid);
      for (const secret of secrets) assert.equal(answers.find((answer) => JSON.stringify(answer.body).includes(secret)), undefined);
    });
  });
}

describe('a rotation through one instance\'s API, followed by a sibling on PostgreSQL', { skip: skipWithoutPostgres }, () => {
  let time: PinnedTime;
  let first: TestServer;
  let second: TestServer;

  before(async () => {
    time = pinTime(Date.UTC(2026, 11, 7, 9));
    first = await startServer({ declarations, dialect: 'postgres', clock: time });
    second = await first.startSibling();
  });
  after(async () => {
    await first?.close();
    time?.release();
  });

  test('the sibling publishes the new keys within the bound, and signs with them once its own step activates them', async () => {
    const rotation = await apiClient(first, await machineToken(first)).post('/keys/rotate');
    assert.equal(rotation.status, 200);
    const newKids = kidsByAlg(rotation.body.stored, 'next');
    await within(switchBoundMs, 'the sibling publishing the new kids', async () => kidsOf(await jwksOf(second)).length === 6);
    time.advance(publishSeconds);
    await second.services.keys.advanceRotations(schedule);
    await within(switchBoundMs, 'the first instance signing with the new keys', async () => signsWith(await jwksOf(first), newKids));
    const tokens = await idTokensFrom(first);
    for (const alg of algorithms) assert.equal(kidOf(tokens[alg]), newKids[alg]);
  });
});
