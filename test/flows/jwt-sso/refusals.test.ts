/*
 * Every token issue 16 (point 4) says Gatehouse refuses: each ends on a clear page with the
 * reason as a reference, logs the precise reason and never the token, and leaves users, identity
 * links, sessions and remembered token ids exactly as they were.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { expectPage, isPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { jwtConnection, portalSecret } from './fixtures.js';
import { callbackOf, departThroughButton, failureOf, partnerToken, Person, signInWith, startWorld, whatExists, type PartnerKey, type World } from './steps.js';

const otherSecret = 'another-partner-secret-0123456789abcdefghijklmn';
const issuer = 'https://portal.partner.example';
const audience = 'https://gatehouse.example/partners';

/** A token whose parts are put together by hand, signed with the shared secret: for payloads no JWT library would make. */
function handMade(header: object, payload: string): string {
  const encode = (text: string) => Buffer.from(text).toString('base64url');
  const input = `${encode(JSON.stringify(header))}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', portalSecret).update(input).digest('base64url')}`;
}

for (const dialect of dialects) {
  describe(`tokens a partner's connection refuses (${dialect})`, () => {
    const logLines: string[] = [];
    let world: World;
    let publicKeyPem: string;
    let rsa: PartnerKey;

    before(async () => {
      const pair = await generateKeyPair('RS256', { extractable: true });
      publicKeyPem = await exportSPKI(pair.publicKey);
      rsa = { key: pair.privateKey, alg: 'RS256' };
      world = await startWorld({
        dialect,
        logLines,
        connections: [
          jwtConnection('portal'),
          jwtConnection('other', { secret: otherSecret }),
          jwtConnection('signed', { secret: undefined, public_key: publicKeyPem }),
          jwtConnection('strict', { issuer, audience }),
        ],
      });
    });
    after(() => world?.close());

    /**
     * A person leaves for the partner and comes back with `token` (by GET, or POST for a large
     * one): the page Gatehouse answers, once nothing is found to have changed.
     */
    async function refused(connectionId: string, token: string, { by = 'GET' as 'GET' | 'POST' } = {}) {
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, connectionId);
      const before = await whatExists(world.server);
      const answer = by === 'GET' ? await person.returnWith(signInUrl, token) : await person.postBack(signInUrl, token);
      assert.ok(isPage(answer), 'a page, not a redirect');
      const page = expectPage(answer);
      assert.deepEqual(await whatExists(world.server), before, 'no user, link, session or token id changed');
      assert.doesNotMatch(page.body, /\.ts:\d+|at async/, 'no stack trace');
      assert.ok(!logLines.some((line) => line.includes(token.slice(-20))), 'the token is never logged');
      return failureOf(page);
    }

    const loggedReasons = () => logLines.map((line) => JSON.parse(line) as { msg: string; reason?: string }).filter((entry) => entry.msg === 'partner sign-in token refused').map((entry) => entry.reason);

    const cases: Array<{ name: string; connection?: string; token: () => Promise<string>; reason: string; by?: 'POST' }> = [
      { name: 'an unsigned token (alg: none)', token: async () => handMade({ alg: 'none', typ: 'JWT' }, JSON.stringify({ email: 'eve@partner.example', exp: Math.floor(Date.now() / 1000) + 60, jti: randomUUID() })).replace(/[^.]+$/, ''), reason: 'alg_none' },
      { name: 'an algorithm outside the allow-list', token: () => partnerToken({ email: 'eve@partner.example' }, { key: new TextEncoder().encode(portalSecret), alg: 'HS384' }), reason: 'alg_not_allowed' },
      { name: 'HS256 keyed with the connection\'s public key', connection: 'signed', token: () => partnerToken({ email: 'eve@partner.example' }, { key: new TextEncoder().encode(publicKeyPem), alg: 'HS256' }), reason: 'alg_not_allowed' },
      { name: 'a wrong signature', token: async () => { const token = await partnerToken({ email: 'eve@partner.example' }); return `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`; }, reason: 'signature_invalid' },
      { name: 'another connection\'s key', token: () => partnerToken({ email: 'eve@partner.example' }, { key: new TextEncoder().encode(otherSecret), alg: 'HS256' }), reason: 'signature_invalid' },
      { name: 'another key of the right kind at a public-key connection', connection: 'signed', token: async () => partnerToken({ email: 'eve@partner.example' }, { key: (await generateKeyPair('RS256')).privateKey, alg: 'RS256' }), reason: 'signature_invalid' },
      { name: 'exp passed beyond the skew', token: () => partnerToken({ email: 'eve@partner.example', exp: now() - 31 }), reason: 'expired' },
      { name: 'no exp at all', token: () => partnerToken({ email: 'eve@partner.example', exp: undefined }), reason: 'exp_missing' },
      { name: 'nbf in the future beyond the skew', token: () => partnerToken({ email: 'eve@partner.example', nbf: now() + 60 }), reason: 'not_yet_valid' },
      { name: 'iat in the future beyond the skew', token: () => partnerToken({ email: 'eve@partner.example', iat: now() + 60 }), reason: 'issued_in_future' },
      { name: 'a token older than max_token_age_seconds', token: () => partnerToken({ email: 'eve@partner.example', iat: now() - 400, exp: now() + 60 }), reason: 'too_old' },
      { name: 'exp further after iat than max_token_age_seconds', token: () => partnerToken({ email: 'eve@partner.example', iat: now(), exp: now() + 3600 }), reason: 'lifetime_too_long' },
      { name: 'exp further away than max_token_age_seconds without iat', token: () => partnerToken({ email: 'eve@partner.example', exp: now() + 3600 }), reason: 'lifetime_too_long' },
      { name: 'a wrong iss where one is required', connection: 'strict', token: () => partnerToken({ email: 'eve@partner.example', iss: 'https://evil.example', aud: audience }), reason: 'issuer_mismatch' },
      { name: 'no iss where one is required', connection: 'strict', token: () => partnerToken({ email: 'eve@partner.example', aud: audience }), reason: 'issuer_mismatch' },
      { name: 'a wrong aud where one is required', connection: 'strict', token: () => partnerToken({ email: 'eve@partner.example', iss: issuer, aud: 'https://elsewhere.example' }), reason: 'audience_mismatch' },
      { name: 'no jti where one is required', token: () => partnerToken({ email: 'eve@partner.example', jti: undefined }), reason: 'jti_missing' },
      { name: 'a token over 8 KiB', token: () => partnerToken({ email: 'eve@partner.example', padding: 'x'.repeat(8 * 1024) }), reason: 'token_too_large', by: 'POST' },
      { name: 'a payload that is not JSON', token: async () => handMade({ alg: 'HS256', typ: 'JWT' }, '{"email": "eve@partner.example", '), reason: 'malformed' },
      { name: 'something that is not a JWT at all', token: async () => 'not-a-jwt', reason: 'malformed' },
      { name: 'a critical header Gatehouse does not know, with a wrong signature', token: async () => handMade({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 }, JSON.stringify({ email: 'eve@partner.example', exp: now() + 60, jti: randomUUID() })).replace(/[^.]+$/, 'AAAA'), reason: 'malformed' },
      { name: 'neither email nor sub', token: () => partnerToken({ given_name: 'Eve' }), reason: 'identity_missing' },
      { name: 'groups that are not a list of names', token: () => partnerToken({ email: 'eve@partner.example', groups: 'admins' }), reason: 'claim_invalid' },
      { name: 'an email that is not an address', token: () => partnerToken({ email: 'eve' }), reason: 'claim_invalid' },
    ];

    for (const { name, connection = 'portal', token, reason, by } of cases) {
      test(`${name}: refused (${reason}), nothing changes`, async () => {
        const failure = await refused(connection, await token(), { by: by ?? 'GET' });
        assert.equal(failure.status, 400);
        assert.equal(failure.code, 'jwt_refused');
        assert.equal(failure.reason, reason);
        assert.equal(loggedReasons().at(-1), reason, 'the log names the reason');
      });
    }

    test('a reused jti is refused, and the user it signed in stays as the first use left them', async () => {
      const token = await partnerToken({ sub: 'once', email: 'once@partner.example', given_name: 'Once' });
      await signInWith(world, 'portal', token);
      const failure = await refused('portal', token);
      assert.deepEqual([failure.status, failure.code, failure.reason], [400, 'jwt_refused', 'jti_replayed']);
      assert.match(failure.message, /used already/);
    });

    test('a refused token does not touch an existing user: the names it carries are not applied', async () => {
      await signInWith(world, 'portal', await partnerToken({ sub: 'kept', email: 'kept@partner.example', given_name: 'Kept' }));
      const failure = await refused('portal', await partnerToken({ sub: 'kept', given_name: 'Changed', exp: now() - 120 }));
      assert.equal(failure.reason, 'expired');
    });

    test('within the skew a token is still accepted: exp 10 s ago, nbf and iat 10 s ahead', async () => {
      const { userinfo } = await signInWith(world, 'portal', await partnerToken({ email: 'skewed@partner.example', exp: now() - 10, nbf: now() + 10, iat: now() + 10 }));
      assert.equal(userinfo.sub.length > 0, true);
    });

    test('the required iss and aud accepted when right', async () => {
      const { userinfo } = await signInWith(world, 'strict', await partnerToken({ email: 'strict@partner.example', iss: issuer, aud: [audience, 'https://another.example'] }));
      assert.ok(userinfo.sub);
    });

    test('a public-key connection accepts its partner\'s RS256 token', async () => {
      const { userinfo } = await signInWith(world, 'signed', await partnerToken({ sub: 'rsa-user', email: 'rsa@partner.example' }, rsa));
      assert.equal(userinfo.email, 'rsa@partner.example');
    });

    test('a return without a token, or with a state of no sign-in, ends on a page and changes nothing', async () => {
      const person = new Person(world);
      const { signInUrl } = await departThroughButton(world, person, 'portal');
      const callback = new URL(signInUrl.searchParams.get('gatehouse_callback_url')!);
      const missing = expectPage(await person.browser.get(callback.toString()));
      assert.deepEqual([missing.status, failureOf(missing).reason], [400, 'token_missing']);
      callback.searchParams.set('state', 'forged-state');
      callback.searchParams.set('token', await partnerToken({ email: 'eve@partner.example' }));
      const unknown = expectPage(await person.browser.get(callback.toString()));
      assert.deepEqual([unknown.status, failureOf(unknown).code], [400, 'detour_unknown']);
    });

    test("one person's callback URL cannot complete another person's sign-in: the state is bound to the browser that left", async () => {
      const victim = new Person(world);
      const { signInUrl } = await departThroughButton(world, victim, 'portal');
      const attacker = new Person(world);
      const before = await whatExists(world.server);
      const page = expectPage(await attacker.returnWith(signInUrl, await partnerToken({ sub: 'attacker', email: 'attacker@partner.example' })));
      assert.deepEqual([page.status, failureOf(page).code], [400, 'detour_other_browser']);
      assert.deepEqual(await whatExists(world.server), before, 'nobody is signed in or created, and the token is not spent');
      const own = await victim.approveIfAsked(await victim.returnWith(signInUrl, await partnerToken({ sub: 'victim', email: 'victim@partner.example' })));
      assert.ok(!isPage(own), 'the victim\'s own return still signs the victim in');
    });

    test('a sign-in URL someone else started cannot collect another person\'s token: the partner posts it in the victim\'s browser, and the one who started cannot finish it', async () => {
      const attacker = new Person(world);
      const pending = await startAuthorization(world.app, 'openid email');
      const loginPage = expectPage(await attacker.open(pending.url));
      const uid = new URL(loginPage.url).pathname.split('/')[2]!;
      const signInUrl = await attacker.pressPartner(loginPage, 'portal');
      // The attacker sends the partner's sign-in URL to the victim, who is signed in at the partner: the partner posts the victim's token back.
      const victim = new Person(world);
      const before = await whatExists(world.server);
      const inVictimsBrowser = expectPage(await victim.postBack(signInUrl, await partnerToken({ sub: 'victim-2', email: 'victim2@partner.example' })));
      assert.equal(inVictimsBrowser.status, 400, 'the victim\'s browser holds no interaction of the attacker\'s');
      const state = callbackOf(signInUrl).searchParams.get('state')!;
      for (const ticket of [undefined, 'guessed-ticket']) {
        const hop = `/interaction/${uid}/jwt/complete?state=${encodeURIComponent(state)}${ticket ? `&ticket=${ticket}` : ''}`;
        const inAttackersBrowser = await attacker.browser.get(new URL(hop, world.server.url).toString());
        assert.ok(isPage(inAttackersBrowser), `not sent on to the application with ${ticket ?? 'no ticket'}`);
        assert.equal(failureOf(inAttackersBrowser).code, 'detour_unknown');
      }
      assert.deepEqual(await whatExists(world.server), { ...before, replays: before.replays + 1 }, 'nobody signed in, no session');
    });

    test('a POST (which brings no cookie) with another browser\'s state is stopped at the hop back, which that browser cannot take', async () => {
      const victim = new Person(world);
      const { signInUrl } = await departThroughButton(world, victim, 'portal');
      const attacker = new Person(world);
      const before = await whatExists(world.server);
      const page = expectPage(await attacker.postBack(signInUrl, await partnerToken({ sub: 'attacker', email: 'attacker@partner.example' })));
      assert.equal(page.status, 400);
      assert.match(page.body, /expired or was already completed|does not belong to this browser/, 'the attacker\'s browser holds no interaction to finish');
      assert.deepEqual(await whatExists(world.server), { ...before, replays: before.replays + 1 }, 'the token is spent; nobody is signed in or created');
    });
  });
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

export type { JWTPayload };
