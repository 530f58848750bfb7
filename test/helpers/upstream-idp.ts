/**
 * A real upstream identity provider for the tests, standing in for Okta, OneLogin or Google: an
 * oidc-provider instance of its own on 127.0.0.1, with its own users, clients, login page and
 * keys, and switches that make it misbehave the ways the refusal tests need. It is imported
 * here directly: it is not Gatehouse's engine (src/oidc/engine.ts is the only importer there).
 *
 *   const upstream = await startUpstreamIdp({ users: [{ sub: '00u1', preferred_username: 'ann', email: 'ann@corp.test', email_verified: true }] });
 *   const server = await startServer({ declarations: { connections: [{ id: 'okta', type: 'oidc', name: 'Okta',
 *     discovery_url: upstream.discoveryUrl, client_id: 'gatehouse', client_secret: secret }] } });
 *   upstream.registerGatehouse(server.issuer, 'okta', { clientId: 'gatehouse', clientSecret: secret });
 *   const browser = new Browser([new URL(server.issuer).origin, server.url, upstream.origin]);
 *   // … Gatehouse's login page, its Okta button, then at the upstream:
 *   await browser.submit(page, upstreamForms.signIn, { username: 'ann' });
 *
 * Gatehouse's port is known only once it runs, so applications are registered after start,
 * through the engine's adapter (upstream-idp-store.ts), not as static `clients`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Account, type KoaContextWithOIDC } from 'oidc-provider';
import { connectionUrls, type UpstreamEndpoints } from '../../src/connections/connection.js';
import { answerAsSwitched, behaving, signingKeys, type UpstreamSwitches } from './upstream-idp-answers.js';
import { readForm, signInPage, signOutPage, messagePage } from './upstream-idp-pages.js';
import { upstreamStore } from './upstream-idp-store.js';

export { upstreamForms } from './upstream-idp-pages.js';
export type { UpstreamSwitches } from './upstream-idp-answers.js';

/** A person at the upstream. Every property is a claim; `sub` is the upstream's stable identifier. */
export interface UpstreamUser {
  sub: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
  [claim: string]: unknown;
}

/** An application registered at the upstream (what the administrator creates in Okta's console). */
export interface UpstreamClient {
  clientId: string;
  clientSecret: string;
  /** `client_secret_basic` unless told; the other method is refused, as by a provider that holds its applications to the method set in its console. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export interface UpstreamOptions {
  users?: UpstreamUser[];
  /** Shown on its login page, so that a test can tell two upstreams apart. */
  name?: string;
  switches?: Partial<UpstreamSwitches>;
}

export interface UpstreamIdp {
  /** `http://127.0.0.1:<port>/oauth2/default`: a path, as Okta's issuers have one. */
  issuer: string;
  /** The issuer's `/.well-known/openid-configuration`. */
  discoveryUrl: string;
  /** The endpoints as an administrator copies them from the discovery document (Raysync's form). */
  endpoints: UpstreamEndpoints & { endSessionEndpoint: string; userinfoEndpoint: string };
  /** Where the login page and every endpoint are served, for a Browser's own origins. */
  origin: string;
  switches: UpstreamSwitches;
  /** Puts every switch back to the upstream behaving (or to the start's options). */
  resetSwitches(): void;
  /** The query of every GET authorization request received, in order: `login_hint`, `nonce`, `code_challenge_method`… */
  authorizationRequests: URLSearchParams[];
  /** The query of every GET to the end_session_endpoint received: `id_token_hint`, `post_logout_redirect_uri`, `state`. */
  endSessionRequests: URLSearchParams[];
  /**
   * Adds a user, or replaces the one with its `sub` (a rename at the upstream). Claims beyond the
   * standard ones are released only if some user of the start's `users` had them.
   */
  setUser(user: UpstreamUser): void;
  /** Registers an application; its metadata is read at each request, so this works at any time. */
  addClient(client: UpstreamClient): void;
  /**
   * Registers Gatehouse's connection `connectionId` as an application: the redirect URI
   * `<origin>/login/oidc/<id>/callback` and post-logout URI `…/signed-out` of Gatehouse's public URL
   * (its issuer will do: only the origin is used). Call it once Gatehouse runs and its port is known.
   */
  registerGatehouse(publicUrl: string, connectionId: string, client: Omit<UpstreamClient, 'redirectUris' | 'postLogoutRedirectUris'>): UpstreamClient;
  /** Stops answering (the upstream is down); sessions, users and clients are kept for `resume`. */
  stop(): Promise<void>;
  /** Answers again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** Where the issuer lives below the origin, and Okta's names for its endpoints below the issuer. */
const issuerPath = '/oauth2/default';
const routes = { authorization: '/v1/authorize', token: '/v1/token', userinfo: '/v1/userinfo', jwks: '/v1/keys', end_session: '/v1/logout' };

const standardClaims = {
  profile: ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
};

export async function startUpstreamIdp(options: UpstreamOptions = {}): Promise<UpstreamIdp> {
  const users = new Map((options.users ?? []).map((user) => [user.sub, user]));
  const store = upstreamStore();
  const initialSwitches = { ...behaving, ...options.switches };
  const switches = { ...initialSwitches };
  const authorizationRequests: URLSearchParams[] = [];
  const endSessionRequests: URLSearchParams[] = [];

  const server = createServer();
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}${issuerPath}`;
  const keys = await signingKeys();

  const provider = new Provider(issuer, {
    adapter: store.adapter,
    jwks: { keys: [keys.published] },
    // Cookies are per host, not per port: Gatehouse on 127.0.0.1 too would share the browser's
    // jar with this upstream, and both engines name their cookies _session, _interaction…
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: { session: '_upstream_session', interaction: '_upstream_interaction', resume: '_upstream_interaction_resume' },
    },
    routes,
    // Lifetimes of the engine's own defaults, named so that it does not warn about each one.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 14 * 86400, IdToken: 3600, Interaction: 3600, Session: 14 * 86400 },
    // Claims go into id_tokens by scope, like Okta's and Google's; claimsOnlyInUserinfo withholds them.
    conformIdTokenClaims: false,
    // Claims that are not standard (groups, whatever the fixture users carry) are released with
    // openid, as Okta releases an application's groups claim: fixed here, since the engine takes them once.
    claims: { openid: ['sub', ...extraClaimNames(options.users ?? [])], ...standardClaims },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      return user ? account(user, switches) : undefined;
    },
    // Consent is granted at once for whatever is asked, as an administrator's assignment does.
    loadExistingGrant: async (ctx) => {
      const { client, session, result, account: signedIn } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session!.grantIdFor(client!.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      const grant = existing?.accountId === signedIn!.accountId ? existing : new ctx.oidc.provider.Grant({ accountId: signedIn!.accountId, clientId: client!.clientId });
      grant.addOIDCScope(ctx.oidc.requestParamOIDCScopes);
      grant.addOIDCClaims(ctx.oidc.requestParamClaims);
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/signin/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = signOutPage(form);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = messagePage('Signed out', 'You are signed out of the upstream.');
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = messagePage('Upstream error', `${out.error}: ${out.error_description ?? ''}`);
    },
  });

  provider.use(async (ctx: KoaContextWithOIDC, next) => {
    // Before next() the engine has not routed the request: match the path. After it, ctx.oidc.route.
    if (ctx.method === 'GET' && ctx.path === routes.authorization) authorizationRequests.push(new URLSearchParams(ctx.querystring));
    if (ctx.method === 'GET' && ctx.path === routes.end_session) endSessionRequests.push(new URLSearchParams(ctx.querystring));
    await next();
    await answerAsSwitched(ctx, switches, keys);
  });

  const engine = provider.callback();
  server.on('request', (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path === issuerPath || path.startsWith(`${issuerPath}/`)) {
      // oidc-provider derives its mount path from originalUrl, as Gatehouse's own mount does.
      req.originalUrl = req.url;
      req.url = req.url!.slice(issuerPath.length) || '/';
      return engine(req, res);
    }
    const interaction = /^\/signin\/[^/]+(?:\/(submit|cancel))?$/.exec(path);
    if (!interaction) return send(res, 404, messagePage('Not found', path));
    handleInteraction(req, res, interaction[1]).catch((error: Error) => send(res, 400, messagePage('Upstream error', error.message)));
  });

  /** The login page (GET), the user's answer (POST submit), or the user cancelling (POST cancel). */
  async function handleInteraction(req: IncomingMessage, res: ServerResponse, action: string | undefined) {
    const details = await provider.interactionDetails(req, res);
    // Consent is asked only when the request says prompt=consent (loadExistingGrant grants the rest); granted.
    if (details.prompt.name === 'consent') return provider.interactionFinished(req, res, { consent: { grantId: details.grantId! } }, { mergeWithLastSubmission: true });
    const loginHint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
    if (action === undefined) return send(res, 200, signInPage(details.uid, options.name ?? 'Upstream', loginHint, undefined));
    if (action === 'cancel') {
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
    }
    const username = (await readForm(req)).get('username') ?? '';
    const user = [...users.values()].find((u) => [u.sub, u.preferred_username, u.email].includes(username));
    if (!user) return send(res, 401, signInPage(details.uid, options.name ?? 'Upstream', username, `No user ${username} here.`));
    // A user with `amr` signs in as a provider that did MFA says so (Okta: ["pwd", "otp", "mfa"]).
    const amr = Array.isArray(user.amr) ? { amr: user.amr as string[] } : {};
    return provider.interactionFinished(req, res, { login: { accountId: user.sub, ...amr } }, { mergeWithLastSubmission: false });
  }

  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  const endpoints = {
    issuer,
    authorizationEndpoint: `${issuer}${routes.authorization}`,
    tokenEndpoint: `${issuer}${routes.token}`,
    userinfoEndpoint: `${issuer}${routes.userinfo}`,
    jwksUri: `${issuer}${routes.jwks}`,
    endSessionEndpoint: `${issuer}${routes.end_session}`,
  };
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    endpoints,
    origin,
    switches,
    resetSwitches: () => Object.assign(switches, initialSwitches),
    authorizationRequests,
    endSessionRequests,
    setUser: (user) => void users.set(user.sub, user),
    addClient: store.addClient,
    registerGatehouse(publicUrl, connectionId, client) {
      const urls = connectionUrls(new URL(publicUrl).origin, connectionId);
      const registered = { ...client, redirectUris: [urls.redirectUri], postLogoutRedirectUris: [urls.postLogoutRedirectUri] };
      store.addClient(registered);
      return registered;
    },
    stop,
    async resume() {
      if (running) return;
      await listen(server, port);
      running = true;
    },
    close: stop,
  };
}

function account(user: UpstreamUser, switches: UpstreamSwitches): Account {
  return {
    accountId: user.sub,
    claims(use) {
      const withheld = switches.claimsOnlyInUserinfo;
      if (use !== 'id_token' || withheld === false) return { ...user };
      if (withheld === true) return { sub: user.sub };
      return Object.fromEntries(Object.entries(user).filter(([claim]) => !withheld.includes(claim))) as UpstreamUser;
    },
  };
}

function extraClaimNames(users: UpstreamUser[]): string[] {
  const standard = new Set(['sub', ...Object.values(standardClaims).flat()]);
  return [...new Set(['groups', ...users.flatMap((user) => Object.keys(user))])].filter((claim) => !standard.has(claim));
}

function send(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
