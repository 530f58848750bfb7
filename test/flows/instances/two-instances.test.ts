/**
 * Instances sharing one PostgreSQL database behind one address behave as one: a sign-in moves
 * between them, survives the instance it started on, a change made through one is followed by
 * the other, the sweep runs on one at a time, and a notice of an engine change reaches every
 * instance, also after its listening connection was cut. (One code redeemed at both at once:
 * core/concurrency.test.ts; an application created through one: api/applications.test.ts.)
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import pino from 'pino';
import { startChangeListener } from '../../../src/db/change-listener.js';
import { engineChannel } from '../../../src/db/queries/engine-state.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { expectPage, expectRedirect, isPage, type Browser, type Page } from '../../helpers/browser.js';
import { redeem, startAuthorization } from '../../helpers/code-flow.js';
import { skipWithoutPostgres } from '../../helpers/databases.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice, bob, type Credentials } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { switchBoundMs, within } from '../keys/steps.js';

/** The one address browsers and applications use, forwarding each request to the instance it is pointed at. */
interface Balancer {
  url: string;
  to(server: TestServer): void;
  /** Requests forwarded to each instance so far, by its listening address. */
  served: Map<string, number>;
  close(): Promise<void>;
}

async function startBalancer(): Promise<Balancer> {
  let target: URL | undefined;
  const served = new Map<string, number>();
  const server: Server = createServer((incoming, outgoing) => {
    served.set(target!.origin, (served.get(target!.origin) ?? 0) + 1);
    const forwarded = request(
      { host: target!.hostname, port: target!.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    to: (instance) => {
      target = new URL(instance.url);
    },
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const declarations = {
  applications: [automation, { client_id: 'web', client_secret: secretOf('web'), redirect_uris: [redirectUri] }],
  users: [alice],
};

/** The login form submitted and consent given, wherever the balancer points now: the callback URL. */
async function finishSignIn(browser: Browser, login: Page, credentials: Credentials): Promise<URL> {
  let result = await browser.submit(login, 'form[action$="/login"]', { username: credentials.username, password: credentials.password });
  if (isPage(result) && result.document.querySelector('form[action$="/consent"]')) result = await browser.submit(result, 'form[action$="/consent"]');
  return new URL(expectRedirect(result));
}

describe('instances sharing one PostgreSQL database', { skip: skipWithoutPostgres }, () => {
  let balancer: Balancer;
  let first: TestServer;
  let second: TestServer;
  let web: oidc.Configuration;
  let api: ApiClient;

  before(async () => {
    balancer = await startBalancer();
    first = await startServer({ dialect: 'postgres', declarations, publicUrl: balancer.url });
    second = await first.startSibling();
    balancer.to(first);
    web = await oidc.discovery(new URL(first.issuer), 'web', secretOf('web'), undefined, insecure);
    api = apiClient(first, await machineToken(first));
  });
  after(async () => {
    await first?.close();
    await balancer?.close();
  });

  /** A new authorization request, its login page served by `instance`. */
  async function loginPageAt(instance: TestServer) {
    balancer.to(instance);
    const pending = await startAuthorization(web, 'openid profile');
    const browser = newBrowser(first);
    const login = expectPage(await browser.get(pending.url.toString()));
    assert.ok(login.document.querySelector('form[action$="/login"]'), 'the login form is shown');
    return { pending, browser, login };
  }

  test('a sign-in started on one instance is finished on the other, its code redeemed there', async () => {
    const { pending, browser, login } = await loginPageAt(first);
    balancer.to(second);
    const servedByFirst = balancer.served.get(first.url);
    const tokens = await redeem(web, pending, await finishSignIn(browser, login, alice));
    assert.ok(tokens.claims()?.sub);
    assert.equal(balancer.served.get(first.url), servedByFirst, 'the form, the consent and the token were all the second instance\'s');
  });

  test('an instance closed after serving the login page: the other finishes the sign-in', async () => {
    const third = await first.startSibling();
    const { pending, browser, login } = await loginPageAt(third);
    await third.close();
    balancer.to(second);
    const tokens = await redeem(web, pending, await finishSignIn(browser, login, alice));
    assert.ok(tokens.access_token);
  });

  test('a user disabled through one instance is refused by the other within the bound', async () => {
    const created = await api.post('/users', { username: bob.username, password: bob.password, email: 'bob@example.com' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const signedIn = await loginPageAt(second);
    const tokens = await redeem(web, signedIn.pending, await finishSignIn(signedIn.browser, signedIn.login, bob));
    const userinfoAtSecond = () => fetch(`${second.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal((await userinfoAtSecond()).status, 200);

    assert.equal((await api.post(`/users/${created.body.id}/disable`)).status, 200);
    await within(switchBoundMs, 'her access token refused by the second instance', async () => (await userinfoAtSecond()).status === 401);
    const again = await loginPageAt(second);
    const refused = await again.browser.submit(again.login, 'form[action$="/login"]', { username: bob.username, password: bob.password });
    assert.ok(isPage(refused) && refused.document.querySelector('form[action$="/login"]'), 'the second instance shows the login form again');
  });

  test('two instances sweeping at once: one sweeps, the other skips the round', async () => {
    const storage = first.openStorage();
    try {
      const expired = { model: 'Session', id: 'swept-once', payload: '{}', grant_id: null, user_code: null, uid: null, account_id: null, expires_at: 1, consumed_at: null };
      await storage.db.insertInto('oidc_models').values(expired).execute();
      // Holding the expired row keeps the first sweep inside its round, lock held, until released.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let rowLocked!: () => void;
      const locked = new Promise<void>((resolve) => (rowLocked = resolve));
      const holder = storage.db.transaction().execute(async (trx) => {
        await trx.selectFrom('oidc_models').select('id').where('id', '=', 'swept-once').forUpdate().execute();
        rowLocked();
        await held;
      });
      await locked;
      const firstSweep = first.sweep();
      await within(switchBoundMs, 'the first instance holding the sweep lock', async () => {
        const { rows } = await sql<{ held: number }>`select count(*)::int as held from pg_locks
          where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`.execute(storage.db);
        return rows[0]!.held === 1;
      });
      assert.deepEqual(await second.sweep(), { skipped: true });
      release();
      await holder;
      const swept = await firstSweep;
      assert.ok(!swept.skipped && swept.removed >= 1, JSON.stringify(swept));
      assert.equal((await storage.db.selectFrom('oidc_models').select('id').where('id', '=', 'swept-once').execute()).length, 0);
      assert.equal((await second.sweep()).skipped, false, 'the lock is released with the round');
    } finally {
      await storage.close();
    }
  });

  test('an engine change is announced on commit, and heard again after the listening connections were cut', async () => {
    const lines: string[] = [];
    let heard = 0;
    const listener = await startChangeListener({
      url: first.config.databaseUrl!, channels: { [engineChannel]: () => (heard += 1) },
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
      retryMilliseconds: 50, retryMaxMilliseconds: 200,
    });
    const storage = first.openStorage();
    try {
      const createScope = (name: string) => api.post('/scopes', { name, description: `See ${name}`, claims: ['email'] });
      assert.equal((await createScope('first_floor')).status, 201);
      await within(switchBoundMs, 'the notice of the first change', async () => heard >= 1);
      const beforeCut = heard;

      // Every instance's listener is cut, the test's own too: each opens its connection again.
      const { rows } = await sql<{ cut: number }>`select count(pg_terminate_backend(pid))::int as cut from pg_stat_activity
        where datname = current_database() and query ilike 'listen %'`.execute(storage.db);
      assert.equal(rows[0]!.cut, 3, 'the two instances and the test listen');
      await within(switchBoundMs, 'the listener back, catching up on what it may have missed', async () => heard > beforeCut);
      const afterCut = heard;
      assert.equal(lines.filter((line) => line.includes('listening for changes from other instances failed')).length, 1, 'one warning for the outage');

      assert.equal((await createScope('second_floor')).status, 201);
      await within(switchBoundMs, 'the notice of a change after the outage', async () => heard > afterCut);
      const scopesAt = async (instance: TestServer) =>
        ((await (await fetch(`${instance.url}/oidc/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] }).scopes_supported;
      await within(switchBoundMs, 'the second instance offering the new scope', async () => (await scopesAt(second)).includes('second_floor'));
    } finally {
      await listener.stop();
      await storage.close();
    }
  });
});
