import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { Provider, type Adapter, type AdapterPayload, type Configuration, type EngineMiddleware, type OidcProvider } from '../../src/oidc/engine.js';
import { freePort } from '../helpers/free-port.js';

/**
 * The installed oidc-provider with a small configuration of its own and none of Gatehouse's
 * additions, so that test/engine checks the engine itself: whatever Gatehouse relies on in it
 * must hold here.
 *
 * The contract tests that use it (engine-internals-*.test.ts) check, each, one thing
 * src/oidc/engine-internals.ts says the engine does: an engine upgrade that breaks a reliance
 * fails there, with the reliance named, before the flow tests show its effect.
 */

export const redirectUri = 'https://rp.example/cb';
export const secret = 'bare-engine-client-secret-0123456789abcdef';
export const customGrantType = 'urn:gatehouse:test:issue';
/** Requests below it reach the engine with it stripped, as under Gatehouse's /oidc. */
export const mountPath = '/mounted';

/** What the store's next call does: fail with this error, as a database outage makes Gatehouse's storage fail. */
export interface StoreSwitch {
  failWith: Error | undefined;
}

/** Serves applications through the adapter's Client model, as Gatehouse does, besides the static ones below. */
export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

function memoryAdapter(store: StoreSwitch, clientLookup: ClientLookup | undefined) {
  const rows = new Map<string, AdapterPayload>();
  const reachable = () => {
    if (store.failWith) throw store.failWith;
  };
  return class MemoryAdapter implements Adapter {
    constructor(readonly model: string) {}
    async upsert(id: string, payload: AdapterPayload) {
      reachable();
      rows.set(`${this.model}:${id}`, payload);
    }
    async find(id: string) {
      reachable();
      if (this.model === 'Client' && clientLookup) return clientLookup(id);
      return rows.get(`${this.model}:${id}`);
    }
    async findByUid(uid: string) {
      reachable();
      return [...rows.entries()].find(([key, row]) => key.startsWith(`${this.model}:`) && row.uid === uid)?.[1];
    }
    async findByUserCode() {
      reachable();
      return undefined;
    }
    async consume(id: string) {
      reachable();
      const row = rows.get(`${this.model}:${id}`);
      if (row) row.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      reachable();
      rows.delete(`${this.model}:${id}`);
    }
    async revokeByGrantId() {
      reachable();
    }
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface BareEngine {
  provider: OidcProvider;
  url: string;
  store: StoreSwitch;
  /** Requests the given paths from a handler of the test's own instead of the engine. */
  own: Map<string, Handler>;
  close(): Promise<void>;
}

export async function startBareEngine(extra: Partial<Configuration> = {}, clientLookup?: ClientLookup): Promise<BareEngine> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const store: StoreSwitch = { failWith: undefined };
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signing = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bare' };
  const provider = new Provider(url, {
    adapter: memoryAdapter(store, clientLookup),
    jwks: { keys: [signing as NonNullable<Configuration['jwks']>['keys'][number]] },
    cookies: { keys: ['bare-engine-cookie-key'] },
    clients: [
      {
        client_id: 'web', client_secret: secret, redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'id_token', 'id_token token'],
      },
      {
        client_id: 'limited', client_secret: secret, redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid email offline_access',
      },
      { client_id: 'custom', client_secret: secret, redirect_uris: [], grant_types: [customGrantType], response_types: [] },
    ],
    claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    responseTypes: ['code', 'id_token', 'id_token token', 'code id_token'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      claimsParameter: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
    },
    pkce: { required: () => false },
    ttl: { AccessToken: 60, AuthorizationCode: 60, ClientCredentials: 60, Grant: 60, IdToken: 60, Interaction: 60, Session: 60 },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@example.com`, name: sub }) }),
    ...extra,
  });
  const own = new Map<string, Handler>();
  const server = createServer((req, res) => {
    const handler = own.get(new URL(req.url ?? '/', url).pathname);
    if (req.url?.startsWith(mountPath)) {
      // As src/http/mount-oidc.ts hands a request to the engine.
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      req.url = req.url.slice(mountPath.length);
    }
    // Koa composes the middleware when the callback is taken: taken per request, a test may add some.
    if (!handler) return provider.callback()(req, res);
    handler(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { provider, url, store, own, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A cookie jar of one browser, for the engine's signed interaction and session cookies. */
export function browser(base: string) {
  const jar = new Map<string, string>();
  return async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(new URL(path, base), { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
}

export function basic(clientId: string, clientSecret = secret): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` };
}

export function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() };
}

/** The parameters of an authorization response, in the query or the fragment. */
export function callbackParams(response: Response): URLSearchParams {
  const location = new URL(response.headers.get('location') ?? '', 'http://invalid');
  return new URLSearchParams(location.hash ? location.hash.slice(1) : location.search);
}

export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

/** Adds middleware in front of the engine's router, as engine-middleware.ts does. */
export const use = (provider: OidcProvider, middleware: EngineMiddleware) => provider.use(middleware as Parameters<OidcProvider['use']>[0]);

/** The authorization endpoint's path and query for the `web` application, with these parameters added or replaced. */
export const authorize = (params: Record<string, string>) => `/auth?${new URLSearchParams({ client_id: 'web', redirect_uri: redirectUri, nonce: 'n', ...params })}`;
