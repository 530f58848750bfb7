/*
 * A partner that publishes its keys (jwks_uri, served here by the test as the partner would):
 * its tokens verify with the key their kid names; after the partner rotates its key, a token
 * with the new kid verifies once the key set may be fetched again, without a restart; a key set
 * that cannot be read is a refusal that names it, and changes nothing.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { defaults } from '../../../src/config/defaults.js';
import { expectPage } from '../../helpers/browser.js';
import { dialects } from '../../helpers/databases.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { jwtConnection } from './fixtures.js';
import { departThroughButton, failureOf, partnerToken, Person, signInWith, startWorld, whatExists, type PartnerKey, type World } from './steps.js';

/** The partner's key-set endpoint: what it publishes can change, and it can fail. */
async function startKeySet() {
  let published: JWK[] = [];
  let failing = false;
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    if (failing) return void res.writeHead(500).end('down');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`,
    publish: (keys: JWK[]) => void (published = keys),
    fail: (value: boolean) => void (failing = value),
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function partnerKey(alg: 'ES256' | 'EdDSA' | 'PS256', kid: string): Promise<{ signer: PartnerKey; jwk: JWK }> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return { signer: { key: pair.privateKey, alg, kid }, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
}

for (const dialect of dialects) {
  describe(`a partner's published key set (${dialect})`, () => {
    let time: PinnedTime;
    let keySet: Awaited<ReturnType<typeof startKeySet>>;
    let broken: Awaited<ReturnType<typeof startKeySet>>;
    let world: World;
    let first: Awaited<ReturnType<typeof partnerKey>>;
    const logLines: string[] = [];

    before(async () => {
      time = pinTime();
      keySet = await startKeySet();
      broken = await startKeySet();
      broken.fail(true);
      first = await partnerKey('ES256', 'k1');
      keySet.publish([first.jwk, (await partnerKey('EdDSA', 'k-ed')).jwk]);
      world = await startWorld({
        dialect,
        clock: time,
        logLines,
        connections: [
          jwtConnection('published', { secret: undefined, jwks_uri: keySet.url }),
          jwtConnection('unreachable', { secret: undefined, jwks_uri: broken.url }),
        ],
      });
    });
    after(async () => {
      await world?.close();
      await keySet?.close();
      await broken?.close();
      time?.release();
    });

    test('a token signed with a published key signs in; the key set is fetched once and cached', async () => {
      const before = keySet.fetches();
      const { userinfo } = await signInWith(world, 'published', await partnerToken({ sub: 'es-user', email: 'es@partner.example' }, first.signer));
      assert.equal(userinfo.email, 'es@partner.example');
      await signInWith(world, 'published', await partnerToken({ sub: 'es-user' }, first.signer));
      assert.equal(keySet.fetches() - before, 1, 'fetched once for both sign-ins');
    });

    test('a kid the key set does not have is refused, and after the partner rotates, the new kid verifies without a restart', async () => {
      const rotated = await partnerKey('ES256', 'k2');
      const early = await partnerToken({ sub: 'rotated', email: 'rotated@partner.example' }, rotated.signer);
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, 'published');
      const snapshot = await whatExists(world.server);
      const refused = expectPage(await person.returnWith(signInUrl, early));
      assert.deepEqual([refused.status, failureOf(refused).reason], [400, 'signature_invalid'], 'not published yet');
      assert.deepEqual(await whatExists(world.server), snapshot);

      keySet.publish([rotated.jwk]);
      // jose fetches again for an unknown kid at most every 30 s.
      time.advance(31);
      const { userinfo } = await signInWith(world, 'published', await partnerToken({ sub: 'rotated', email: 'rotated@partner.example' }, rotated.signer));
      assert.equal(userinfo.email, 'rotated@partner.example');
      const retired = expectPage(await (async () => {
        const again = new Person(world);
        const { signInUrl: url } = await departThroughButton(world, again, 'published');
        return again.returnWith(url, await partnerToken({ sub: 'es-user' }, first.signer));
      })());
      assert.equal(failureOf(retired).reason, 'signature_invalid', 'the key the partner withdrew no longer verifies');
    });

    test('a token without kid is checked against every key of its algorithm, as during a rotation', async () => {
      const older = await partnerKey('ES256', 'k-old');
      const newer = await partnerKey('ES256', 'k-new');
      keySet.publish([older.jwk, newer.jwk]);
      // A cached set that has a key of the token's algorithm is read again once it is older than the cache lifetime.
      time.advance(defaults.jwtSso.jwksCacheSeconds + 1);
      const { userinfo } = await signInWith(world, 'published', await partnerToken({ sub: 'no-kid', email: 'nokid@partner.example' }, { ...newer.signer, kid: undefined }));
      assert.equal(userinfo.email, 'nokid@partner.example');
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, 'published');
      const stranger = await partnerKey('ES256', 'k-stranger');
      const page = expectPage(await person.returnWith(signInUrl, await partnerToken({ sub: 'no-kid' }, { ...stranger.signer, kid: undefined })));
      assert.deepEqual([page.status, failureOf(page).reason], [400, 'signature_invalid'], 'no key of the set verifies it');
    });

    test('a key set that cannot be read: 502 naming the partner, the reason in the log, nothing changed', async () => {
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, 'unreachable');
      const snapshot = await whatExists(world.server);
      const page = expectPage(await person.returnWith(signInUrl, await partnerToken({ email: 'nobody@partner.example' }, first.signer)));
      assert.deepEqual([page.status, failureOf(page).code], [502, 'upstream_failed']);
      assert.match(failureOf(page).message, /Portal unreachable/);
      assert.deepEqual(await whatExists(world.server), snapshot);
      const logged = logLines.map((line) => JSON.parse(line) as { msg: string; reason?: string; detail?: string }).filter((entry) => entry.msg === 'partner sign-in token refused').at(-1);
      assert.equal(logged?.reason, 'keys_unavailable');
      assert.match(logged?.detail ?? '', new RegExp(`connection "unreachable": the key set at ${broken.url.replace(/[.]/g, '\\.')} could not be read`));
    });
  });
}
