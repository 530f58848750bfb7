import assert from 'node:assert/strict';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import type { Clock } from '../../../src/runtime/clock.js';
import { Browser, expectPage, expectRedirect, isPage, type Page } from '../../helpers/browser.js';
import { redeem, startAuthorization, type PendingAuthorization } from '../../helpers/code-flow.js';
import type { TestDialect } from '../../helpers/databases.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { startUpstreamIdp, upstreamForms, type UpstreamIdp, type UpstreamOptions } from '../../helpers/upstream-idp.js';
import { ann, application, ben, dan, kim, localUsers, lou } from './fixtures.js';

/** An upstream provider, Gatehouse with connections to it, and the downstream application's openid-client. */
export interface World {
  upstream: UpstreamIdp;
  server: TestServer;
  app: oidc.Configuration;
  close(): Promise<void>;
}

type Declared = Record<string, unknown> & { id: string; client_id: string; client_secret: string; token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' };

export interface WorldOptions {
  dialect: TestDialect;
  /** The connections Gatehouse's configuration file declares, given the upstream's URLs. */
  connections: (upstream: UpstreamIdp) => Declared[];
  upstream?: UpstreamOptions;
  /** How the upstream registers each connection's client, when it differs from the declaration (a wrong secret). */
  registerAs?: (declared: Declared) => Partial<Pick<Declared, 'client_secret' | 'token_endpoint_auth_method'>>;
  /** Gatehouse's clock: a `pinTime` (test-clock.ts), for a test that moves time. */
  clock?: Clock;
}

export async function startWorld({ dialect, connections, upstream: upstreamOptions, registerAs = () => ({}), clock }: WorldOptions): Promise<World> {
  const upstream = await startUpstreamIdp({ users: [ann, ben, kim, lou, dan], name: 'Corp Okta', ...upstreamOptions });
  const declared = connections(upstream);
  const server = await startServer({
    dialect,
    env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
    ...(clock ? { clock } : {}),
    declarations: { applications: [application], users: localUsers, connections: declared },
  });
  for (const connection of declared) {
    const registered = { ...connection, ...registerAs(connection) };
    upstream.registerGatehouse(server.issuer, connection.id, {
      clientId: registered.client_id,
      clientSecret: registered.client_secret,
      ...(registered.token_endpoint_auth_method ? { tokenEndpointAuthMethod: registered.token_endpoint_auth_method } : {}),
    });
  }
  const app = await oidc.discovery(new URL(server.issuer), application.client_id, undefined, oidc.None(), insecure);
  return {
    upstream,
    server,
    app,
    async close() {
      await server.close();
      await upstream.close();
    },
  };
}

/**
 * One person's browser: a cookie jar per site, Gatehouse's and the upstream's, as a browser
 * keeps them; each follows redirects on its own site and stops where the other begins.
 */
export class Person {
  readonly atGatehouse: Browser;
  readonly atUpstream: Browser;

  constructor(world: World) {
    this.atGatehouse = newBrowser(world.server);
    this.atUpstream = new Browser([world.upstream.origin]);
  }

  /** The application sends the browser to Gatehouse: the page it lands on, or where it is sent off to. */
  open(url: URL | string) {
    return this.atGatehouse.get(url.toString());
  }

  /** Presses a connection's button on the login page: the upstream's authorization request it is sent to. */
  async pressConnection(loginPage: Page, connectionId: string): Promise<URL> {
    const form = loginPage.document.querySelectorAll('form[action$="/oidc/start"]')
      .find((candidate) => candidate.querySelector('input[name=connection]')?.getAttribute('value') === connectionId);
    assert.ok(form, `the login page has a button for ${connectionId}`);
    const fields = Object.fromEntries(form.querySelectorAll('input[type=hidden]').map((input) => [input.getAttribute('name') ?? '', input.getAttribute('value') ?? '']));
    return new URL(expectRedirect(await this.atGatehouse.post(new URL(form.getAttribute('action') ?? '', loginPage.url).toString(), fields)));
  }

  /** At the upstream: signs in as `username` (when it asks) and returns the callback URL it sends the browser to. */
  async signInUpstream(authorizationRequest: URL, username: string): Promise<URL> {
    const shown = await this.atUpstream.get(authorizationRequest.toString());
    if (!isPage(shown)) return new URL(shown.redirectedTo);
    return new URL(expectRedirect(await this.atUpstream.submit(shown, upstreamForms.signIn, { username })));
  }

  /** At the upstream: cancels on its login page (access_denied). */
  async cancelUpstream(authorizationRequest: URL): Promise<URL> {
    const shown = expectPage(await this.atUpstream.get(authorizationRequest.toString()));
    return new URL(expectRedirect(await this.atUpstream.submit(shown, upstreamForms.cancel)));
  }

  /** Back at Gatehouse with the upstream's answer: the consent page is approved; where it ends. */
  async returnToGatehouse(callback: URL) {
    const result = await this.atGatehouse.get(callback.toString());
    if (isPage(result) && result.document.querySelector('form[action$="/consent"]')) return this.atGatehouse.submit(result, 'form[action$="/consent"]');
    return result;
  }
}

/** The whole sign-in through a connection's button: the application's tokens. */
export async function signInThrough(world: World, person: Person, connectionId: string, username: string, params: Record<string, string> = {}) {
  const pending = await startAuthorization(world.app, 'openid profile email', params);
  const loginPage = expectPage(await person.open(pending.url));
  const authorizationRequest = await person.pressConnection(loginPage, connectionId);
  return finishAt(world, person, pending, await person.signInUpstream(authorizationRequest, username));
}

/** A sign-in through a connection's button that Gatehouse refuses on the way back: the page it answers. */
export async function refusedThrough(world: World, connectionId: string, subject: string) {
  const person = new Person(world);
  const { url } = await startAuthorization(world.app, 'openid');
  const authorizationRequest = await person.pressConnection(expectPage(await person.open(url)), connectionId);
  return expectPage(await person.returnToGatehouse(await person.signInUpstream(authorizationRequest, subject)));
}

/** From the upstream's callback to the application's tokens. */
export async function finishAt(world: World, person: Person, pending: PendingAuthorization, callback: URL) {
  const back = await person.returnToGatehouse(callback);
  return redeem(world.app, pending, new URL(expectRedirect(back)));
}

/** What a refusal must leave as it was: users, identity links, sessions. */
export async function whatExists(server: TestServer) {
  const { db } = server.services.deps;
  const count = sql<string | number>`count(*)`.as('n');
  const [users, links, sessions] = await Promise.all([
    db.selectFrom('users').select(count).executeTakeFirstOrThrow(),
    db.selectFrom('user_identities').select(count).executeTakeFirstOrThrow(),
    db.selectFrom('oidc_models').where('model', '=', 'Session').select(count).executeTakeFirstOrThrow(),
  ]);
  return { users: Number(users.n), links: Number(links.n), sessions: Number(sessions.n) };
}

/** The identity links of an upstream subject: the user ids it signs in as. */
export async function linksOf(server: TestServer, subject: string): Promise<string[]> {
  const rows = await server.services.deps.db.selectFrom('user_identities').select('user_id').where('subject', '=', subject).execute();
  return rows.map((row) => row.user_id);
}

/** The failure page's message and link back, as a person reads them. */
export function failureOf(page: Page) {
  return {
    status: page.status,
    message: page.document.querySelector('.error')?.text.trim() ?? '',
    backToLogin: page.document.querySelector('a[href^="/interaction/"]')?.getAttribute('href') ?? undefined,
    code: /Error code: ([a-z_]+)/.exec(page.body)?.[1],
  };
}
