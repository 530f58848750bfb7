import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { SignJWT, type JWTPayload } from 'jose';
import { parse } from 'node-html-parser';
import * as oidc from 'openid-client';
import type { Clock } from '../../../src/runtime/clock.js';
import { Browser, expectPage, expectRedirect, isPage, type Page } from '../../helpers/browser.js';
import { redeem, startAuthorization, type PendingAuthorization } from '../../helpers/code-flow.js';
import type { TestDialect } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { application, localUsers, portalSecret } from './fixtures.js';

/** Gatehouse with partner connections, and the downstream application's openid-client. */
export interface World {
  server: TestServer;
  app: oidc.Configuration;
  close(): Promise<void>;
}

export interface WorldOptions {
  dialect: TestDialect;
  connections: Array<Record<string, unknown>>;
  clock?: Clock;
  /** More users than the fixtures' own. */
  users?: Array<Record<string, unknown>>;
  /** Keeps Gatehouse's log lines here. */
  logLines?: string[];
}

export async function startWorld({ dialect, connections, clock, users = [], logLines }: WorldOptions): Promise<World> {
  const server = await startServer({
    dialect,
    // The tests' key sets are served on 127.0.0.1.
    env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
    ...(clock ? { clock } : {}),
    ...(logLines ? { logLines } : {}),
    declarations: { applications: [application], users: [...localUsers, ...users], connections },
  });
  const app = await oidc.discovery(new URL(server.issuer), application.client_id, undefined, oidc.None(), insecure);
  return { server, app, close: () => server.close() };
}

/** A signing key as the partner holds it: jose's key and the header that names it. */
export interface PartnerKey {
  key: Parameters<SignJWT['sign']>[0];
  alg: string;
  kid?: string;
}

export const sharedSecretKey: PartnerKey = { key: new TextEncoder().encode(portalSecret), alg: 'HS256' };

/** Signs a token as the partner's portal does: the payload as given, `exp` five minutes out and a fresh `jti` unless the payload says otherwise. */
export async function partnerToken(payload: JWTPayload & Record<string, unknown>, signer: PartnerKey = sharedSecretKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { exp: now + 120, jti: randomUUID(), ...payload };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: signer.alg, ...(signer.kid ? { kid: signer.kid } : {}) }).sign(signer.key);
}

/** One person's browser at Gatehouse: the cookie jar that leaves for the partner and comes back. */
export class Person {
  readonly browser: Browser;

  /** `alsoAt`: the listening addresses of more instances behind the same public URL, which the browser may reach too. */
  constructor(readonly world: World, alsoAt: TestServer[] = []) {
    this.browser = new Browser([new URL(world.server.issuer).origin, world.server.url, ...alsoAt.map((server) => server.url)]);
  }

  /** The application sends the browser to Gatehouse: the page it lands on, or where it is sent off to. */
  open(url: URL | string) {
    return this.browser.get(url.toString());
  }

  /** Presses a partner's button on the login page: the partner's sign-in URL it is sent to. */
  async pressPartner(loginPage: Page, connectionId: string): Promise<URL> {
    const form = loginPage.document.querySelectorAll('form[action$="/jwt/start"]')
      .find((candidate) => candidate.querySelector('input[name=connection]')?.getAttribute('value') === connectionId);
    assert.ok(form, `the login page has a button for ${connectionId}`);
    const fields = Object.fromEntries(form.querySelectorAll('input[type=hidden]').map((input) => [input.getAttribute('name') ?? '', input.getAttribute('value') ?? '']));
    return new URL(expectRedirect(await this.browser.post(new URL(form.getAttribute('action') ?? '', loginPage.url).toString(), fields)));
  }

  /** At the partner: the browser is sent back to the callback URL Gatehouse gave, with the token in the query; `via` another instance's address. */
  returnWith(signInUrl: URL, token: string, via?: TestServer) {
    const callback = callbackOf(signInUrl);
    callback.searchParams.set('token', token);
    return this.browser.get(via ? `${via.url}${callback.pathname}${callback.search}` : callback.toString());
  }

  /** At the partner: an auto-submitting form posts the token to the callback URL, as a cross-site POST (no Lax cookie). */
  async postBack(signInUrl: URL, token: string) {
    const response = await fetch(callbackOf(signInUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', accept: 'text/html' },
      body: new URLSearchParams({ token }).toString(),
      redirect: 'manual',
    });
    const location = response.headers.get('location');
    if (response.status !== 303 || !location) {
      const body = await response.text();
      return { url: response.url, status: response.status, headers: response.headers, body, document: parse(body) } satisfies Page;
    }
    // The hop back is a top-level GET again: the browser sends its cookies with it.
    return this.browser.get(new URL(location, this.world.server.url).toString());
  }

  /** Back at Gatehouse after the partner: the consent page is approved; where it ends. */
  async approveIfAsked(result: Awaited<ReturnType<Browser['get']>>) {
    if (isPage(result) && result.document.querySelector('form[action$="/consent"]')) return this.browser.submit(result, 'form[action$="/consent"]');
    return result;
  }
}

/** The callback URL the partner is given, read from its sign-in URL's `gatehouse_callback_url`. */
export function callbackOf(signInUrl: URL): URL {
  const callback = signInUrl.searchParams.get('gatehouse_callback_url');
  assert.ok(callback, `the partner's sign-in URL carries gatehouse_callback_url: ${signInUrl}`);
  return new URL(callback);
}

/** The application's authorization request up to the partner's sign-in URL, through the login page's button. */
export async function departThroughButton(world: World, person: Person, connectionId: string, scope = 'openid profile email groups') {
  const pending = await startAuthorization(world.app, scope);
  const loginPage = expectPage(await person.open(pending.url));
  return { pending, signInUrl: await person.pressPartner(loginPage, connectionId) };
}

/** A whole sign-in with a partner's token, returned by GET: the application's tokens and the claims it received. */
export async function signInWith(world: World, connectionId: string, token: string | ((signInUrl: URL) => Promise<string>), person = new Person(world)) {
  const { pending, signInUrl } = await departThroughButton(world, person, connectionId);
  const back = await person.approveIfAsked(await person.returnWith(signInUrl, typeof token === 'string' ? token : await token(signInUrl)));
  return finish(world, pending, back);
}

export async function finish(world: World, pending: PendingAuthorization, back: Awaited<ReturnType<Browser['get']>>) {
  const tokens = await redeem(world.app, pending, new URL(expectRedirect(back)));
  const userinfo = await oidc.fetchUserInfo(world.app, tokens.access_token, tokens.claims()!.sub);
  return { tokens, idToken: tokens.claims()!, userinfo };
}

/** What a refusal must leave as it was: users (every column), identity links, sessions, remembered token ids. */
export async function whatExists(server: TestServer) {
  const { db } = server.services.deps;
  const count = sql<string | number>`count(*)`.as('n');
  const [users, links, sessions, replays] = await Promise.all([
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('user_identities').select(count).executeTakeFirstOrThrow(),
    db.selectFrom('oidc_models').where('model', '=', 'Session').select(count).executeTakeFirstOrThrow(),
    db.selectFrom('jwt_replays').select(count).executeTakeFirstOrThrow(),
  ]);
  return { users, links: Number(links.n), sessions: Number(sessions.n), replays: Number(replays.n) };
}

/** The failure page's message and code, as a person reads them. */
export function failureOf(page: Page) {
  return {
    status: page.status,
    message: page.document.querySelector('.error')?.text.trim() ?? '',
    code: /Error code: ([a-z_]+)/.exec(page.body)?.[1],
    reason: /Reason: ([a-z_]+)/.exec(page.body)?.[1],
  };
}

/** The user a sign-in created or found, by user name. */
export async function userNamed(server: TestServer, username: string) {
  return server.services.users.findByUsername(username);
}
