import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { extraClientMetadata } from '../../src/oidc/client-metadata.js';
import { errors, Provider, type AdapterPayload } from '../../src/oidc/engine.js';
import {
  clientAuthenticationInProgress,
  onClientAuthRouteError,
  refusedUnregisteredGrantType,
  renameOAuthError,
  throwAnswer,
  type ClientAuthRoute,
} from '../../src/oidc/engine-internals.js';
import { oauthError } from '../../src/oidc/oauth-error.js';
import { authorize, basic, customGrantType, form, redirectUri, secret, startBareEngine, use, type BareEngine } from './bare-engine.js';

/**
 * The contract between Gatehouse and the installed oidc-provider: each test checks one thing
 * engine-internals.ts says the engine does, against the engine alone (test/engine/bare-engine.ts).
 * A failure here after an upgrade names the reliance to review before the flow tests show its effect.
 *
 * This file: applications and grants — the Client model's checks and validation, the token
 * endpoint's refusal of an unregistered grant type, and client authentication (its error events and
 * its application lookup). Routes, events and middleware are in engine-internals-routes.test.ts;
 * tokens and sessions in engine-internals-tokens-sessions.test.ts.
 */

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
