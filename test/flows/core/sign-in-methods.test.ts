import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { parse } from 'node-html-parser';
import { z } from 'zod';
import { discardingAuditLog } from '../../../src/audit/audit-log.js';
import { createChangeLog } from '../../../src/audit/change-log.js';
import { defaultSecuritySettings } from '../../../src/config/security-settings.js';
import { createSecretBox } from '../../../src/crypto/secret-box.js';
import { openSqlite } from '../../../src/db/connect.js';
import type { Storage } from '../../../src/db/database.js';
import { migrateToLatest } from '../../../src/db/migrate.js';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import { errorResponses } from '../../../src/http/error-responses.js';
import { createCsrf } from '../../../src/http/interaction/csrf.js';
import { interactionRoutes, type InteractionRouteDeps } from '../../../src/http/interaction/routes.js';
import { noAccountMessage } from '../../../src/http/interaction/sign-in-context.js';
import type { Interactions, PendingInteraction } from '../../../src/oidc/interactions.js';
import type { Actor } from '../../../src/runtime/actor.js';
import { systemClock } from '../../../src/runtime/clock.js';
import { randomIds } from '../../../src/runtime/ids.js';
import { createServices, type ServiceDeps, type Services } from '../../../src/services.js';
import { createPasswordMethod } from '../../../src/sign-in/password-method.js';
import { csrfField, formBody, interactionParams } from '../../../src/sign-in/route-schemas.js';
import type { SignInMethod } from '../../../src/sign-in/sign-in-method.js';
import { createIdentityService, type UnlinkedIdentityRule } from '../../../src/users/identity-service.js';
import { html } from '../../../src/views/html.js';
import { expectPage, isPage, readForm } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { newBrowser } from '../../helpers/oauth.js';
import { alice } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { startCoreServer, type RelyingParties } from './steps.js';

const loginForm = 'form[action$="/login"]';

describe('the password method through the seam, on the real server (sqlite)', () => {
  let server: TestServer;
  let rp: RelyingParties;

  before(async () => {
    ({ server, rp } = await startCoreServer('sqlite'));
  });
  after(() => server?.close());

  async function onLoginPage() {
    const browser = newBrowser(server);
    const page = expectPage(await browser.get((await startAuthorization(rp.spa, 'openid')).url.toString()));
    const { action, fields } = readForm(page, loginForm);
    return { browser, page, target: new URL(action, page.url).toString(), csrf: fields.csrf!, uid: action.split('/')[2]! };
  }

  test('the login page posts each method\'s form under the method, and keeps one cancel form', async () => {
    const { page, uid } = await onLoginPage();
    const forms = page.document.querySelectorAll('form').map((form) => form.getAttribute('action'));
    assert.deepEqual(forms, [`/interaction/${uid}/password/login`, `/interaction/${uid}/passkey/verify`, `/interaction/${uid}/abort`]);
    assert.ok(page.document.querySelector('input[name=username]') && page.document.querySelector('input[name=password]'));
  });

  test('a field over its limit is invalid_request naming the field, and the interaction goes on', async () => {
    const { browser, page, target, csrf } = await onLoginPage();
    const refused = expectPage(await browser.post(target, { csrf, username: alice.username, password: 'p'.repeat(4097) }));
    assert.equal(refused.status, 400);
    assert.match(refused.body, /The form is invalid: password /);
    const again = await browser.get(page.url);
    assert.ok(isPage(again) && again.document.querySelector(loginForm), 'still asked to sign in');
  });

  test('a field sent twice is invalid_request, as a JSON problem for a caller that does not ask for HTML', async () => {
    const { browser, target, csrf } = await onLoginPage();
    const cookie = await browser.jar.getCookieString(target);
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams([['csrf', csrf], ['username', 'a'], ['username', 'b'], ['password', 'x']]).toString(),
    });
    assert.equal(response.status, 400);
    const problem = (await response.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'invalid_request');
    assert.match(problem.detail, /The form is invalid: username /);
  });

  test('a login post without a body meets the CSRF check (403), not a validation error', async () => {
    const { browser, target } = await onLoginPage();
    const refused = expectPage(await browser.navigate(target, { method: 'POST' }));
    assert.equal(refused.status, 403);
  });

  test('the same form, whole, still signs in', async () => {
    const { browser, page } = await onLoginPage();
    const result = await browser.submit(page, loginForm, alice);
    assert.ok(!isPage(result) || !result.document.querySelector(loginForm), 'the login form is done');
  });
});

const issuer = 'https://idp.example.test';
const cli: Actor = { kind: 'cli', command: 'test' };

/** The interaction of uid `u1`, waiting for a login; what the engine would hold. */
const pending: PendingInteraction = {
  uid: 'u1', prompt: 'login', clientId: 'spa', clientName: 'Single Page App', accountId: undefined, missingScopes: [], missingClaims: [], loginHint: undefined,
  connection: undefined, expiresAt: Date.now() + 60 * 60 * 1000, reasons: ['no_session'], sessionAmr: [], acrValues: undefined, applicationMfa: undefined, enrol: undefined, uiLocales: undefined,
};

/**
 * A method that signs in whoever it is told, as an identity at `issuer`: a stand-in for an
 * upstream provider, with a route under the interaction and a fixed one outside it.
 */
const testMethod: SignInMethod = {
  id: 'test-idp',
  loginSection: (model) => html`<form method="post" action="${model.basePath}/start"><input type="hidden" name="csrf" value="${model.csrfToken}"><button>Test IdP</button></form>`,
  interactionRoutes(routes, context) {
    const body = formBody({ ...csrfField, subject: z.string().min(1).max(40), rule: z.enum(['refuse', 'provision', 'link-bob']) });
    // No CSRF check of its own: the interaction routes make it before this handler runs.
    routes.post('/start', { schema: { params: interactionParams, body } }, async (request, reply) => {
      const { uid } = request.params;
      return context.completeSignIn(request, reply, {
        uid,
        amr: ['fed'],
        as: { identity: { issuer, subject: request.body.subject }, whenUnlinked: ruleFor(request.body.rule, request.body.subject) },
        via: { method: 'test-idp', connectionId: 'test-idp' },
      });
    });
  },
  fixedRoutes(routes) {
    routes.get('/login/test-idp/callback', { schema: { querystring: z.object({ state: z.string().length(8) }) } }, async (_request, reply) =>
      reply.redirect('/interaction/u1/test-idp/complete', 303));
  },
};

let bobId = '';
function ruleFor(rule: 'refuse' | 'provision' | 'link-bob', subject: string): UnlinkedIdentityRule {
  if (rule === 'provision') return { action: 'provision', user: { username: `idp-${subject}` } };
  return rule === 'link-bob' ? { action: 'link', userId: bobId, actor: { kind: 'system', reason: 'test sign-in method' } } : { action: 'refuse' };
}

describe('a second sign-in method through the seam (sqlite, the engine replaced by a stand-in)', () => {
  let storage: Storage;
  let services: Services;
  let app: FastifyInstance;
  let base: string;
  let finished: Array<{ accountId: string; amr: string[] }>;
  const csrfKey = randomBytes(32);
  const csrf = createCsrf(csrfKey).tokenFor('u1');

  /** What the engine's side of the seam needs: the pending interaction of `u1`, and finishing it. */
  const interactions = {
    load: async (_req, _res, uid) => {
      if (uid !== 'u1') throw new GatehouseError('interaction_expired', 'This sign-in request has expired.');
      return pending;
    },
    finishLogin: async (_req, _res, uid, accountId, amr) => {
      finished.push({ accountId, amr });
      return `/oidc/auth/${uid}`;
    },
    finishConsent: async () => '/oidc/auth/u1',
    abort: async () => '/oidc/auth/u1',
    refuse: async () => '/oidc/auth/u1',
  } satisfies Interactions;

  async function buildApp(methods: SignInMethod[]): Promise<FastifyInstance> {
    const deps: ServiceDeps = { db: storage.db, box: createSecretBox('s'.repeat(32)), clock: systemClock, ids: randomIds, security: defaultSecuritySettings };
    const routeDeps: InteractionRouteDeps = {
      interactions,
      csrf: createCsrf(csrfKey),
      methods,
      identities: createIdentityService({ db: storage.db, clock: systemClock, users: (db) => createServices({ ...deps, db }).users, changes: createChangeLog({ clock: systemClock, ids: randomIds }) }),
      users: services.users,
      customScopes: () => [],
      audit: discardingAuditLog,
      // The seam's own behaviour: no second factor is asked here (test/flows/mfa covers the gate).
      gate: async () => undefined,
    };
    const built = Fastify();
    await built.register(errorResponses);
    await built.register(formbody);
    await built.register(interactionRoutes, routeDeps);
    return built;
  }

  before(async () => {
    storage = openSqlite(':memory:');
    await migrateToLatest(storage.db);
    services = createServices({ db: storage.db, box: createSecretBox('s'.repeat(32)), clock: systemClock, ids: randomIds, security: defaultSecuritySettings });
    bobId = (await services.users.createUser(cli, { username: 'bob' })).user.id;
    app = await buildApp([createPasswordMethod(async () => ({ ok: false, reason: 'invalid_credentials' })), testMethod]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app?.close();
    await storage?.close();
  });
  beforeEach(() => {
    finished = [];
  });

  const start = (subject: string, rule: string) =>
    fetch(`${base}/interaction/u1/test-idp/start`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ csrf, subject, rule }).toString(),
    });

  test('the login page shows every method\'s section in order, each posting under its own path', async () => {
    const page = parse(await (await fetch(`${base}/interaction/u1`)).text());
    const actions = page.querySelectorAll('form').map((form) => form.getAttribute('action'));
    assert.deepEqual(actions, ['/interaction/u1/password/login', '/interaction/u1/test-idp/start', '/interaction/u1/abort']);
  });

  test('a method\'s form posted without its CSRF token, or from another site, is refused before the method runs', async () => {
    const post = (fields: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${base}/interaction/u1/test-idp/start`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
    assert.equal((await post({ subject: 'mallory', rule: 'provision' })).status, 403);
    assert.equal((await post({ csrf: 'forged', subject: 'mallory', rule: 'provision' })).status, 403);
    assert.equal((await post({ csrf, subject: 'mallory', rule: 'provision' }, { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal(finished.length, 0);
    assert.equal(await services.users.findByUsername('idp-mallory'), undefined);
  });

  test('a method\'s routes validate with their own schemas and answer refusals as the interaction routes do', async () => {
    const body = await start('', 'refuse');
    assert.equal(body.status, 400);
    assert.match(await body.text(), /The form is invalid: subject /);
    const query = await fetch(`${base}/login/test-idp/callback?state=short`, { headers: { accept: 'text/html' } });
    assert.equal(query.status, 400);
    assert.match(await query.text(), /The request is invalid: state /);
    const fixed = await fetch(`${base}/login/test-idp/callback?state=abcdefgh`, { redirect: 'manual' });
    assert.equal(fixed.status, 303);
    assert.equal(fixed.headers.get('location'), '/interaction/u1/test-idp/complete');
  });

  test('an identity no user is linked to, under a refusing rule, stays on the login page (403) and finishes nothing', async () => {
    const response = await start('nobody', 'refuse');
    assert.equal(response.status, 403);
    const page = parse(await response.text());
    assert.equal(page.querySelector('.error')?.text, noAccountMessage);
    assert.ok(page.querySelector(loginForm), 'the password form is shown again');
    assert.deepEqual(finished, []);
  });

  test('a linked identity signs in as its user with the method\'s amr, and goes back to the engine (303)', async () => {
    // Not bob: a user has one identity per issuer, and the next test links bob.
    const { user: bert } = await services.users.createUser(cli, { username: 'bert' });
    await linkDirectly(bert.id, 'bert-at-idp');
    const response = await start('bert-at-idp', 'refuse');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/oidc/auth/u1');
    assert.deepEqual(finished, [{ accountId: bert.id, amr: ['fed'] }]);
  });

  test('a link rule links the identity to the user the method names, once', async () => {
    assert.equal((await start('bob-second', 'link-bob')).status, 303);
    assert.equal((await start('bob-second', 'refuse')).status, 303, 'linked now: the rule is no longer asked');
    assert.deepEqual(finished.map((f) => f.accountId), [bobId, bobId]);
  });

  test('a linked user who is disabled does not sign in', async () => {
    const { user } = await services.users.createUser(cli, { username: 'dora', disabled: true });
    await linkDirectly(user.id, 'dora-at-idp');
    assert.equal((await start('dora-at-idp', 'refuse')).status, 403);
    assert.deepEqual(finished, []);
  });

  test('ten concurrent first sign-ins of one identity under a provisioning rule make one user, and all sign in as it', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => start('newcomer', 'provision')));
    assert.deepEqual(responses.map((r) => r.status), Array(10).fill(303));
    const provisioned = await storage.db.selectFrom('users').select('id').where('username', '=', 'idp-newcomer').execute();
    assert.equal(provisioned.length, 1);
    assert.deepEqual(new Set(finished.map((f) => f.accountId)), new Set([provisioned[0]!.id]));
    const links = await storage.db.selectFrom('user_identities').select('user_id').where('subject', '=', 'newcomer').execute();
    assert.deepEqual(links, [{ user_id: provisioned[0]!.id }]);
  });

  test('a method id that cannot be a path segment, or is taken, stops the start', async () => {
    await assert.rejects(buildApp([{ ...testMethod, id: 'Test IdP' }]), /cannot be a path segment/);
    await assert.rejects(buildApp([{ ...testMethod, id: 'abort' }]), /cannot be a path segment/);
    await assert.rejects(buildApp([testMethod, testMethod]), /two sign-in methods/);
  });

  async function linkDirectly(userId: string, subject: string): Promise<void> {
    await storage.db.insertInto('user_identities').values({ issuer, subject, user_id: userId, created_at: Date.now() }).execute();
  }
});
