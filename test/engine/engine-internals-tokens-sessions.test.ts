import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  endedSession,
  loginInteractionKey,
  issueIdToken,
  recordEntity,
  redirectInstead,
  resumedLogin,
} from '../../src/oidc/engine-internals.js';
import { authorize, basic, browser, callbackParams, customGrantType, form, jwtPayload, startBareEngine, use, type BareEngine } from './bare-engine.js';

/**
 * The contract between Gatehouse and the installed oidc-provider: each test checks one thing
 * engine-internals.ts says the engine does, against the engine alone (test/engine/bare-engine.ts).
 * A failure here after an upgrade names the reliance to review before the flow tests show its effect.
 *
 * This file: tokens and sessions — the IdToken's masking, what a grant of Gatehouse's own issues
 * and records, and the sessions the resume and end_session routes report. Applications and grants
 * are in engine-internals-clients.test.ts; routes, events and middleware in
 * engine-internals-routes.test.ts.
 */

describe('oidc-provider keeps what Gatehouse relies on', () => {
  let engine: BareEngine;
  before(async () => (engine = await startBareEngine()));
  after(() => engine?.close());

  test('an IdToken is masked by the scope, mask and rejected fields set after construction', async () => {
    const client = await engine.provider.Client.find('web');
    const claims = { sub: 'u1', email: 'u1@example.com', name: 'U' };
    const payload = (fields: object) => Object.assign(new engine.provider.IdToken(claims, { client }), fields).payload() as Promise<Record<string, unknown>>;
    assert.deepEqual(await payload({ scope: 'openid email', mask: {}, rejected: [] }), { sub: 'u1', email: 'u1@example.com' });
    assert.deepEqual(await payload({ scope: 'openid', mask: { name: null }, rejected: [] }), { sub: 'u1', name: 'U' });
    assert.deepEqual(await payload({ scope: 'openid email', mask: {}, rejected: ['email'] }), { sub: 'u1' });
  });

  test('a grant of Gatehouse\'s own issues a scope-masked id_token, and the entities it records are what ctx.oidc and grant.success listeners read', async () => {
    const recorded = { Account: { accountId: 'u1' }, Grant: { kind: 'Grant' }, AccessToken: { kind: 'AccessToken' }, RefreshToken: { kind: 'RefreshToken' } };
    const read: unknown[] = [];
    engine.provider.registerGrantType(customGrantType, async (ctx) => {
      for (const [kind, value] of Object.entries(recorded)) recordEntity(ctx, kind as keyof typeof recorded, value);
      ctx.body = { id_token: await issueIdToken(engine.provider, ctx, { sub: 'u1', email: 'u1@example.com', name: 'U' }, String(ctx.oidc.params.scope)) };
    }, ['scope']);
    engine.provider.on('grant.success', (ctx) => read.push(ctx.oidc.account, ctx.oidc.grant, ctx.oidc.accessToken, ctx.oidc.refreshToken));
    const response = await fetch(`${engine.url}${engine.provider.pathFor('token')}`, form({ grant_type: customGrantType, scope: 'openid email' }, basic('custom')));
    assert.equal(response.status, 200);
    const idToken = jwtPayload((await response.json() as { id_token: string }).id_token);
    assert.equal(idToken.email, 'u1@example.com');
    assert.equal(idToken.name, undefined, 'profile was not granted');
    assert.equal(idToken.aud, 'custom');
    assert.deepEqual(read, Object.values(recorded));
  });
});

describe('the resume and end_session routes, as the upstream sign-in\'s logout relies on them', () => {
  let engine: BareEngine;
  const seen: { resumed: ReturnType<typeof resumedLogin>; ended: ReturnType<typeof endedSession> }[] = [];
  const upstreamLogout = 'https://upstream.example/logout';
  before(async () => {
    engine = await startBareEngine({
      features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    });
    // The login first, as a sign-in method finishes it; consent in a prompt of its own after it, as Gatehouse's consent page gives it.
    engine.own.set('/login', async (req, res) => {
      const { uid } = await engine.provider.interactionDetails(req, res);
      res.writeHead(200).end(await engine.provider.interactionResult(req, res, { login: { accountId: 'u1', amr: ['fed'] }, [loginInteractionKey]: uid }));
    });
    engine.own.set('/consent', async (req, res) => {
      const grant = new engine.provider.Grant({ accountId: 'u1', clientId: 'web' });
      grant.addOIDCScope('openid');
      res.writeHead(200).end(await engine.provider.interactionResult(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true }));
    });
    use(engine.provider, async (ctx, next) => {
      await next();
      const entry = { resumed: resumedLogin(ctx), ended: endedSession(ctx) };
      if (entry.resumed || entry.ended) seen.push(entry);
      if (entry.ended) redirectInstead(ctx, upstreamLogout);
    });
  });
  after(() => engine?.close());

  /** The engine's logout confirmation form, answered `logout=yes` (sign out) or without it (stay signed in). */
  async function confirmLogout(get: ReturnType<typeof browser>, logout: boolean) {
    const page = await (await get('/session/end?client_id=web')).text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(xsrf, 'the engine asks to confirm, with its xsrf token');
    return get('/session/end/confirm', form({ xsrf, ...(logout ? { logout: 'yes' } : {}) }));
  }

  test('a resumed login names its interaction and the session it went into, whose uid the logout that ends it names again; the logout\'s 303 can be sent elsewhere', async () => {
    const get = browser(engine.url);
    const start = await get(authorize({ response_type: 'code', scope: 'openid', prompt: 'consent' }));
    const uid = new URL(start.headers.get('location')!, engine.url).pathname.split('/').pop()!;
    const toConsent = await get(await (await get('/login')).text());
    const consentUid = new URL(toConsent.headers.get('location')!, engine.url).pathname.split('/').pop()!;
    assert.notEqual(consentUid, uid, 'consent is a prompt of its own');
    const resumed = await get(await (await get('/consent')).text());
    assert.ok(callbackParams(resumed).get('code'));
    assert.equal(seen.length, 2, 'after the login, and after the consent that followed it');
    const [login, afterConsent] = seen.map((entry) => entry.resumed!);
    assert.deepEqual({ interactionUid: login!.interactionUid, amr: login!.amr }, { interactionUid: uid, amr: ['fed'] });
    assert.ok(login!.sessionUid);
    assert.deepEqual(afterConsent, login, 'the consent\'s resume still names the login\'s interaction and the same session');

    const again = await get(authorize({ response_type: 'code', scope: 'openid' }));
    assert.ok(callbackParams(again).get('code'), 'signed in: no interaction');
    assert.equal(seen.length, 2, 'an authorization without an interaction resumes nothing');

    const stayed = await confirmLogout(get, false);
    assert.equal(stayed.status, 303);
    assert.equal(seen.length, 2, 'leaving one application without signing out ends no session');

    const ended = await confirmLogout(get, true);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[2]!.ended, { sessionUid: login!.sessionUid, amr: ['fed'], next: `${engine.url}/session/end/success` });
    assert.equal(ended.status, 303);
    assert.equal(ended.headers.get('location'), upstreamLogout);
    const signedOut = await get(authorize({ response_type: 'code', scope: 'openid' }));
    assert.match(signedOut.headers.get('location') ?? '', /^\/interaction\//, 'the session is gone');
  });
});
