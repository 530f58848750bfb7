import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { errors, type KoaContextWithOIDC } from '../../src/oidc/engine.js';
import {
  authorizationEndpointIssuesIdTokenAlone,
  onServerError,
  prefersHtml,
  throwOnUnallowedResponseType,
} from '../../src/oidc/engine-internals.js';
import { grantedScopes } from '../../src/oidc/grants/requested-scopes.js';
import { authorize, basic, browser, callbackParams, form, mountPath, redirectUri, startBareEngine, use, type BareEngine } from './bare-engine.js';

/**
 * The contract between Gatehouse and the installed oidc-provider: each test checks one thing
 * engine-internals.ts says the engine does, against the engine alone (test/engine/bare-engine.ts).
 * A failure here after an upgrade names the reliance to review before the flow tests show its effect.
 *
 * This file: routes, events and middleware — provider.use and the mount path, the authorization
 * endpoint (interactions, consent, response types), and the server_error answer and event of a
 * storage failure. Applications and grants are in engine-internals-clients.test.ts; tokens and
 * sessions in engine-internals-tokens-sessions.test.ts.
 */

describe('oidc-provider keeps what Gatehouse relies on', () => {
  let engine: BareEngine;
  before(async () => (engine = await startBareEngine()));
  after(() => engine?.close());

  test('middleware added with provider.use runs in front of the router, in order, without ctx.oidc, and sees the route\'s answer afterwards', async () => {
    const seen: string[] = [];
    for (const name of ['first', 'second']) {
      use(engine.provider, async (ctx, next) => {
        if (ctx.path !== '/.well-known/openid-configuration') return next();
        seen.push(`${name} before: ${'oidc' in ctx}`);
        await next();
        seen.push(`${name} after: ${ctx.oidc.route} ${ctx.status}`);
      });
    }
    assert.equal((await fetch(`${engine.url}/.well-known/openid-configuration`)).status, 200);
    assert.deepEqual(seen, ['first before: false', 'second before: false', 'second after: discovery 200', 'first after: discovery 200']);
  });

  test('the engine keeps the mount path it was handed under in req.originalUrl in the URLs it builds', async () => {
    const discovery = (prefix: string) => fetch(`${engine.url}${prefix}/.well-known/openid-configuration`).then((r) => r.json()) as Promise<{ token_endpoint: string }>;
    assert.equal((await discovery(mountPath)).token_endpoint, `${engine.url}${mountPath}/token`);
    assert.equal((await discovery('')).token_endpoint, `${engine.url}/token`);
  });
});


describe('the authorization endpoint, as Gatehouse relies on it', () => {
  let engine: BareEngine;
  const alone: { route: string; alone: boolean }[] = [];
  before(async () => {
    engine = await startBareEngine({
      findAccount: async (ctx, sub) => ({
        accountId: sub,
        claims: async (use) => {
          if (use === 'id_token') alone.push({ route: ctx.oidc.route, alone: authorizationEndpointIssuesIdTokenAlone(ctx) });
          return { sub };
        },
      }),
    });
    engine.own.set('/finish', async (req, res) => {
      const grant = new engine.provider.Grant({ accountId: 'u1', clientId: 'web' });
      grant.addOIDCScope('openid');
      const returnTo = await engine.provider.interactionResult(req, res, { login: { accountId: 'u1' }, consent: { grantId: await grant.save() } });
      res.writeHead(200).end(returnTo);
    });
    engine.own.set('/login', async (req, res) => {
      res.writeHead(200).end(await engine.provider.interactionResult(req, res, { login: { accountId: 'u1' } }));
    });
    engine.own.set('/details', async (req, res) => {
      const outcome: Details = await engine.provider.interactionDetails(req, res).then(
        ({ uid, prompt, params }) => ({ found: uid, prompt, scope: params.scope }),
        (error: unknown) => ({ error: error instanceof errors.SessionNotFound ? 'SessionNotFound' : error === engine.store.failWith ? 'the storage error' : String(error) }),
      );
      res.writeHead(200).end(JSON.stringify(outcome));
    });
  });
  after(() => engine?.close());

  type Details = { found?: string; error?: string; prompt?: { name: string; details: Record<string, unknown> }; scope?: unknown };
  const details = async (get: ReturnType<typeof browser>) => (await (await get('/details')).json()) as Details;

  test('routes `authorization` and `resume` ask for id_token claims with response_type normalised, and interactionDetails reports SessionNotFound only when the interaction is gone', async () => {
    const get = browser(engine.url);
    assert.equal((await details(get)).error, 'SessionNotFound', 'no interaction cookie');
    const start = await get(authorize({ response_type: 'id_token id_token', scope: 'openid' }));
    assert.equal(start.status, 303);
    const uid = new URL(start.headers.get('location')!, engine.url).pathname.split('/').pop();
    assert.equal((await details(get)).found, uid);
    engine.store.failWith = new Error('database unreachable');
    assert.equal((await details(get)).error, 'the storage error', 'a storage failure is not SessionNotFound');
    engine.store.failWith = undefined;

    const resumed = await get(await (await get('/finish')).text());
    assert.ok(callbackParams(resumed).get('id_token'), 'the id_token comes back after the interaction');
    assert.equal((await details(get)).error, 'SessionNotFound', 'the finished interaction is gone');
    const direct = await get(authorize({ response_type: 'id_token', scope: 'openid' }));
    assert.ok(callbackParams(direct).get('id_token'), 'the signed-in browser gets an id_token at once');
    const withToken = await get(authorize({ response_type: 'token id_token', scope: 'openid' }));
    assert.ok(callbackParams(withToken).get('access_token'));
    assert.deepEqual(alone, [
      { route: 'resume', alone: true },
      { route: 'authorization', alone: true },
      { route: 'authorization', alone: false },
    ]);
  });

  test('the consent prompt names what it misses as missingOIDCScope and missingOIDCClaims, by the scope rules grantedScopes copies', async () => {
    const supported = ['openid', 'offline_access', 'email', 'profile'];
    const cases = [
      { clientId: 'web', scope: 'openid email unknown offline_access', expected: ['openid', 'email'] },
      { clientId: 'limited', scope: 'openid email unknown offline_access', expected: ['openid', 'email', 'offline_access'] },
    ];
    for (const { clientId, scope, expected } of cases) {
      const get = browser(engine.url);
      const claims = JSON.stringify({ id_token: { name: null } });
      const started = await get(authorize({ client_id: clientId, response_type: 'code', scope, prompt: 'consent', claims }));
      assert.equal(started.status, 303, await started.text());
      await get(await (await get('/login')).text());
      const { prompt } = await details(get);
      assert.equal(prompt?.name, 'consent', clientId);
      assert.deepEqual(new Set(prompt?.details.missingOIDCScope as string[]), new Set(expected), clientId);
      assert.deepEqual(prompt?.details.missingOIDCClaims, ['name'], clientId);
      const client = await engine.provider.Client.find(clientId);
      assert.deepEqual(grantedScopes(client!, scope, supported), new Set(expected), `${clientId}: the password grant grants what consent would ask for`);
    }
    const refused = callbackParams(await fetch(`${engine.url}${authorize({ client_id: 'limited', response_type: 'code', scope: 'openid profile' })}`, { redirect: 'manual' }));
    assert.equal(refused.get('error'), 'invalid_scope', 'a known scope outside the application\'s scope');
    const limited = await engine.provider.Client.find('limited');
    assert.throws(() => grantedScopes(limited!, 'openid profile', supported), errors.InvalidScope);
  });

  test('an unregistered response type is invalid_request from responseTypeAllowed, and what the patched method throws goes back to the application', async () => {
    const request = authorize({ response_type: 'code id_token', scope: 'openid' });
    const engineAnswer = callbackParams(await fetch(`${engine.url}${request}`, { redirect: 'manual' }));
    assert.equal(engineAnswer.get('error'), 'invalid_request');
    assert.equal(engineAnswer.get('error_description'), 'requested response_type is not allowed for this client');
    throwOnUnallowedResponseType(engine.provider, () => new errors.UnauthorizedClient('refused by Gatehouse'));
    const patched = callbackParams(await fetch(`${engine.url}${request}`, { redirect: 'manual' }));
    assert.equal(patched.get('error'), 'unauthorized_client');
    assert.equal(patched.get('error_description'), 'refused by Gatehouse');
    const allowed = await fetch(`${engine.url}${authorize({ response_type: 'code', scope: 'openid' })}`, { redirect: 'manual' });
    assert.match(allowed.headers.get('location') ?? '', /^\/interaction\//, 'a registered type still goes on to sign-in');
  });
});

describe('a storage failure inside the engine, as the outage answer relies on it', () => {
  let engine: BareEngine;
  const outage = new Error('database unreachable');
  let events: unknown[];
  let answers: { status: number; html: boolean; prefersHtml: boolean; error: unknown; heard: number }[];
  before(async () => {
    engine = await startBareEngine();
    onServerError(engine.provider, (_ctx, error) => events.push(error));
    use(engine.provider, async (ctx: KoaContextWithOIDC, next) => {
      await next();
      const body = ctx.body as { error?: unknown } | undefined;
      answers.push({ status: ctx.status, html: Boolean(ctx.response.is('html')), prefersHtml: prefersHtml(ctx), error: body?.error, heard: events.length });
    });
  });
  after(() => engine?.close());

  async function whileDown(path: string, init: RequestInit) {
    events = [];
    answers = [];
    engine.store.failWith = outage;
    try {
      await fetch(`${engine.url}${path}`, { ...init, redirect: 'manual' });
    } finally {
      engine.store.failWith = undefined;
    }
    assert.deepEqual(events, [outage], 'server_error carries the storage error itself');
    return answers[0];
  }

  test('a JSON endpoint has answered 500 server_error, and emitted server_error, by the time middleware around it resumes', async () => {
    const answer = await whileDown(engine.provider.pathFor('token'), form({ grant_type: 'authorization_code', code: 'c', redirect_uri: redirectUri }, basic('web')));
    assert.deepEqual(answer, { status: 500, html: false, prefersHtml: false, error: 'server_error', heard: 1 });
  });

  test('a JSON endpoint answers an HTML page when the request prefers HTML', async () => {
    const answer = await whileDown(engine.provider.pathFor('token'), form({ grant_type: 'authorization_code', code: 'c', redirect_uri: redirectUri }, { ...basic('web'), accept: 'text/html' }));
    assert.deepEqual(answer, { status: 500, html: true, prefersHtml: true, error: undefined, heard: 1 });
  });

  test('the authorization endpoint answers an HTML page whatever the request prefers', async () => {
    const answer = await whileDown(authorize({ response_type: 'code', scope: 'openid' }), { headers: { accept: 'application/json' } });
    assert.deepEqual(answer, { status: 500, html: true, prefersHtml: false, error: undefined, heard: 1 });
  });
});
