import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { extraClientMetadata } from '../../src/oidc/client-metadata.js';
import { errors, Provider, type AdapterPayload, type EngineMiddleware, type KoaContextWithOIDC, type OidcProvider } from '../../src/oidc/engine.js';
import {
  authorizationEndpointIssuesIdTokenAlone,
  clientAuthenticationInProgress,
  endedSession,
  loginInteractionKey,
  issueIdToken,
  onClientAuthRouteError,
  onServerError,
  prefersHtml,
  recordEntity,
  redirectInstead,
  refusedUnregisteredGrantType,
  renameOAuthError,
  resumedLogin,
  throwAnswer,
  throwOnUnallowedResponseType,
  type ClientAuthRoute,
} from '../../src/oidc/engine-internals.js';
import { grantedScopes } from '../../src/oidc/grants/requested-scopes.js';
import { oauthError } from '../../src/oidc/oauth-error.js';
import { basic, browser, callbackParams, customGrantType, form, jwtPayload, mountPath, redirectUri, secret, startBareEngine, type BareEngine } from './bare-engine.js';

/**
 * The contract between Gatehouse and the installed oidc-provider: each test checks one thing
 * engine-internals.ts says the engine does, against the engine alone (test/engine/bare-engine.ts).
 * A failure here after an upgrade names the reliance to review before the flow tests show its effect.
 */

const use = (provider: OidcProvider, middleware: EngineMiddleware) => provider.use(middleware as Parameters<OidcProvider['use']>[0]);
const authorize = (params: Record<string, string>) => `/auth?${new URLSearchParams({ client_id: 'web', redirect_uri: redirectUri, nonce: 'n', ...params })}`;

describe('oidc-provider keeps what Gatehouse relies on', () => {
  let engine: BareEngine;
  before(async () => (engine = await startBareEngine()));
  after(() => engine?.close());

  test('Client#responseTypeAllowed and #grantTypeAllowed answer by the registered types', async () => {
    const web = await engine.provider.Client.find('web');
    assert.ok(web);
    assert.equal(web.responseTypeAllowed('id_token token'), true);
    assert.equal(web.responseTypeAllowed('code id_token'), false);
    assert.equal(web.grantTypeAllowed('authorization_code'), true);
    assert.equal(web.grantTypeAllowed('client_credentials'), false);
  });

  test('the token endpoint refuses an authenticated application\'s unregistered grant type with invalid_request, left in ctx for middleware to rename', async () => {
    const seen: boolean[] = [];
    use(engine.provider, async (ctx, next) => {
      await next();
      const refused = refusedUnregisteredGrantType(ctx);
      seen.push(refused);
      if (refused) renameOAuthError(ctx, 'renamed');
    });
    const token = engine.provider.pathFor('token');
    const refused = await fetch(`${engine.url}${token}`, form({ grant_type: 'client_credentials' }, basic('web')));
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { error: 'renamed', error_description: 'requested grant type is not allowed for this client' });
    const unknown = await fetch(`${engine.url}${token}`, form({ grant_type: 'urn:no:such:grant' }, basic('web')));
    assert.equal((await unknown.json() as { error: string }).error, 'unsupported_grant_type');
    const impostor = await fetch(`${engine.url}${token}`, form({ grant_type: 'client_credentials' }, basic('web', 'wrong-secret')));
    assert.equal(impostor.status, 401, 'an authentication failure is invalid_client, before the grant type is looked at');
    assert.equal((await impostor.json() as { error: string }).error, 'invalid_client');
    assert.deepEqual(seen, [true, false, false]);
  });

  test('each client-authenticating route emits its error event with the route name when authentication fails', async () => {
    const heard = new Map<ClientAuthRoute, unknown>();
    onClientAuthRouteError(engine.provider, (route, _ctx, error) => heard.set(route, (error as { error?: unknown }).error));
    const bodies: Record<ClientAuthRoute, Record<string, string>> = {
      token: { grant_type: 'client_credentials' },
      introspection: { token: 'x' },
      revocation: { token: 'x' },
      pushed_authorization_request: { response_type: 'code', redirect_uri: redirectUri, scope: 'openid' },
    };
    for (const [route, body] of Object.entries(bodies)) {
      const response = await fetch(`${engine.url}${engine.provider.pathFor(route)}`, form(body, basic('web', 'wrong-secret')));
      assert.equal(response.status, 401, route);
    }
    assert.deepEqual(Object.fromEntries(heard), Object.fromEntries(Object.keys(bodies).map((route) => [route, 'invalid_client'])));
  });

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

  test('Client.validate runs the whole schema with the extra metadata validator, stores nothing, and rejects with InvalidClientMetadata', async () => {
    const bare = await startBareEngine({ extraClientMetadata: extraClientMetadata(['openid', 'email']) });
    try {
      const metadata = { client_id: 'new', client_secret: 'x'.repeat(32), redirect_uris: [redirectUri] };
      await bare.provider.Client.validate({ ...metadata, id_token_claims_scopes: ['email'] });
      assert.equal(await bare.provider.Client.find('new'), undefined);
      await assert.rejects(bare.provider.Client.validate({ ...metadata, id_token_claims_scopes: ['nope'] }), (error: unknown) =>
        error instanceof errors.InvalidClientMetadata && /"nope" is not a scope/.test(error.error_description ?? ''));
      await assert.rejects(bare.provider.Client.validate({ ...metadata, redirect_uris: ['not a url'] }), (error: unknown) =>
        error instanceof errors.InvalidClientMetadata && Boolean(error.error_description));
    } finally {
      await bare.close();
    }
  });
});

describe('the application lookup of client authentication, as the client-authentication throttle relies on it', () => {
  let engine: BareEngine;
  let keys: { own: CryptoKey; stranger: CryptoKey };
  /** Every lookup of an application the adapter serves: its id, the route, whether it authenticates the client. */
  let lookups: { id: string; route: string | undefined; authenticating: boolean }[];
  /** The application whose lookup throws the throttle's answer, when any. */
  let refused: string | undefined;
  const methods = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as const;
  type Method = (typeof methods)[number];
  const bodies: Record<ClientAuthRoute, Record<string, string>> = {
    token: { grant_type: 'client_credentials' },
    introspection: { token: 'x' },
    revocation: { token: 'x' },
    pushed_authorization_request: { response_type: 'code', redirect_uri: redirectUri, scope: 'openid' },
  };

  before(async () => {
    const own = await generateKeyPair('ES256', { extractable: true });
    keys = { own: own.privateKey, stranger: (await generateKeyPair('ES256')).privateKey };
    const jwks = { keys: [{ ...(await exportJWK(own.publicKey)), alg: 'ES256', use: 'sig' }] };
    const served: Record<string, AdapterPayload> = Object.fromEntries(methods.map((method) => [method, {
      client_id: method, token_endpoint_auth_method: method, redirect_uris: [redirectUri], response_types: ['code'],
      grant_types: ['authorization_code', 'client_credentials', customGrantType],
      ...(method === 'private_key_jwt' ? { jwks } : { client_secret: secret }),
    }]));
    engine = await startBareEngine({}, async (id) => {
      const ctx = clientAuthenticationInProgress();
      lookups.push({ id, route: Provider.ctx?.oidc.route, authenticating: ctx !== undefined });
      if (ctx && id === refused) throwAnswer(ctx, oauthError(429, 'temporarily_unavailable', 'refused at the lookup', 7));
      return served[id];
    });
    // Once the application is authenticated, a lookup on the same route is no authentication.
    engine.provider.registerGrantType(customGrantType, async (ctx) => {
      await engine.provider.Client.find('client_secret_post');
      ctx.body = { authenticated: ctx.oidc.client?.clientId };
    });
  });
  after(() => engine?.close());

  async function assertion(clientId: string, key: CryptoKey | Uint8Array, alg: string): Promise<Record<string, string>> {
    const jwt = await new SignJWT({}).setProtectedHeader({ alg }).setIssuer(clientId).setSubject(clientId).setAudience(engine.url)
      .setJti(randomUUID()).setIssuedAt().setExpirationTime('1m').sign(key);
    return { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt };
  }

  /** A request authenticating as the application of that method, with its right credential or a wrong one. */
  async function authenticate(route: ClientAuthRoute, method: Method, credential: 'right' | 'wrong', headers: Record<string, string> = {}) {
    const right = credential === 'right';
    const fields: Record<string, Record<string, string>> = {
      client_secret_basic: {},
      client_secret_post: { client_id: method, client_secret: right ? secret : 'wrong-secret' },
      client_secret_jwt: await assertion(method, new TextEncoder().encode(right ? secret : `${secret}-wrong`), 'HS256'),
      private_key_jwt: await assertion(method, right ? keys.own : keys.stranger, 'ES256'),
    };
    const auth = method === 'client_secret_basic' ? basic(method, right ? secret : 'wrong-secret') : {};
    return fetch(`${engine.url}${engine.provider.pathFor(route)}`, form({ ...bodies[route], ...fields[method] }, { ...auth, ...headers }));
  }

  test('every client authentication looks its application up through the adapter, inside the request, before any credential is checked', async () => {
    for (const method of methods) {
      for (const route of Object.keys(bodies) as ClientAuthRoute[]) {
        lookups = [];
        const response = await authenticate(route, method, 'wrong');
        assert.equal(response.status, 401, `${method} at ${route}`);
        assert.deepEqual(lookups, [{ id: method, route, authenticating: true }], `${method} at ${route}`);
      }
      lookups = [];
      for (let i = 0; i < 2; i += 1) assert.equal((await authenticate('token', method, 'right')).status, 200, method);
      assert.equal(lookups.length, 2, `${method}: the adapter is asked at every request, not only the first`);
    }
    lookups = [];
    const unknown = await fetch(`${engine.url}${engine.provider.pathFor('token')}`, form(bodies.token, basic('nobody', secret)));
    assert.equal(unknown.status, 401);
    assert.deepEqual(lookups, [{ id: 'nobody', route: 'token', authenticating: true }], 'an id that names no application is looked up alike');
  });

  test('a lookup once the application is authenticated, or outside client authentication, is no authentication', async () => {
    lookups = [];
    const custom = await fetch(`${engine.url}${engine.provider.pathFor('token')}`, form({ grant_type: customGrantType }, basic('client_secret_basic')));
    assert.deepEqual(await custom.json(), { authenticated: 'client_secret_basic' });
    assert.deepEqual(lookups, [
      { id: 'client_secret_basic', route: 'token', authenticating: true },
      { id: 'client_secret_post', route: 'token', authenticating: false },
    ]);
    lookups = [];
    const authorization = await fetch(`${engine.url}${authorize({ client_id: 'client_secret_basic', response_type: 'code', scope: 'openid' })}`, { redirect: 'manual' });
    assert.equal(authorization.status, 303);
    assert.ok(lookups.length > 0 && lookups.every((lookup) => lookup.route === 'authorization' && !lookup.authenticating), JSON.stringify(lookups));
  });

  test('an engine error thrown from the lookup is the answer, with its status, body and the headers set before, in JSON or HTML, and the route\'s error event carries it', async () => {
    const heard: unknown[] = [];
    onClientAuthRouteError(engine.provider, (route, _ctx, error) => heard.push(`${route}: ${(error as { error?: unknown }).error}`));
    refused = 'private_key_jwt';
    try {
      for (const route of Object.keys(bodies) as ClientAuthRoute[]) {
        const json = await authenticate(route, 'private_key_jwt', 'wrong');
        assert.equal(json.status, 429, route);
        assert.equal(json.headers.get('retry-after'), '7');
        assert.equal(json.headers.get('cache-control'), 'no-store');
        assert.deepEqual(await json.json(), { error: 'temporarily_unavailable', error_description: 'refused at the lookup' });
      }
      const page = await authenticate('token', 'private_key_jwt', 'right', { accept: 'text/html' });
      assert.equal(page.status, 429);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(page.headers.get('retry-after'), '7');
      assert.equal((await authenticate('token', 'client_secret_basic', 'right')).status, 200, 'another application is looked up as before');
    } finally {
      refused = undefined;
    }
    assert.deepEqual(heard, [...Object.keys(bodies), 'token'].map((route) => `${route}: temporarily_unavailable`));
  });

  test('when authentication fails, ctx.oidc.client is the application the id names, also with a wrong credential, and unset when it names none', async () => {
    const failed: unknown[] = [];
    onClientAuthRouteError(engine.provider, (_route, ctx) => failed.push(ctx.oidc.client?.clientId));
    for (const method of methods) assert.equal((await authenticate('token', method, 'wrong')).status, 401);
    assert.equal((await fetch(`${engine.url}${engine.provider.pathFor('token')}`, form(bodies.token, basic('nobody', secret)))).status, 401);
    assert.deepEqual(failed, [...methods, undefined]);
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
