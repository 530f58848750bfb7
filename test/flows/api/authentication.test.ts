/*
 * Who gets into the management API (/api/v1), over HTTP with real grants: only an access token
 * Gatehouse issued with gatehouse:manage, of an application that names that scope in its own
 * `scope`; for a user, only an enabled member of gatehouse-admins, checked at every request.
 * Every refusal of a token is an audit event, and no token or secret reaches the audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { defaults } from '../../../src/config/defaults.js';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { obtainCallback, redeem } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { apiClient, automation, callApi, machineToken, type ApiAnswer } from '../../helpers/management-api.js';
import { insecure, newBrowser } from '../../helpers/oauth.js';
import { alice, type Credentials } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinTime, type PinnedTime } from '../../helpers/test-clock.js';
import { basicAuth, postForm, postToken } from '../../helpers/token-endpoint.js';
import { auditEvents, eventsOf, oneEventOf, wholeTableAsText } from '../audit/steps.js';

const adminPassword = 'the administrator keeps this one safe';
const admin: Credentials = { username: defaults.adminUsername, password: adminPassword };
const cli = { kind: 'cli', command: 'test' } as const;

/** A console: a single-page application through which people sign in to manage Gatehouse. */
const consoleApp = {
  client_id: 'console',
  client_name: 'Admin console',
  token_endpoint_auth_method: 'none',
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code'],
  scope: 'openid gatehouse:manage',
};

const declarations = {
  applications: [
    automation,
    consoleApp,
    // A machine with a token of its own, for another scope than the API's.
    { client_id: 'reporting', client_secret: secretOf('reporting'), grant_types: ['client_credentials'], scope: 'reports:read' },
    // Names no scope at all, so the engine lets it ask for any, gatehouse:manage included.
    { client_id: 'unscoped', client_secret: secretOf('unscoped'), grant_types: ['client_credentials'] },
  ],
  // Users, none of them an administrator: the start must still create `admin` in gatehouse-admins.
  users: [{ username: 'alice', email: 'alice@example.com', password: alice.password, groups: ['staff'] }],
  scopes: [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }],
};

/** The refusals a request's Bearer challenge and problem carry (RFC 6750 §3). */
function assertRefused(answer: ApiAnswer, status: 401 | 403, error?: 'invalid_token' | 'insufficient_scope') {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(answer.body.code, status === 401 ? 'unauthorized' : 'forbidden');
  assert.equal(answer.body.status, status);
  const challenge = answer.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer /);
  if (error) assert.match(challenge, new RegExp(`error="${error}"`));
  else assert.doesNotMatch(challenge, /error=/);
}

for (const dialect of dialects) {
  describe(`who may call the management API (${dialect})`, () => {
    let time: PinnedTime;
    let server: TestServer;
    let consoleConfig: oidc.Configuration;
    let adminId: string;
    let aliceId: string;
    /** Everything secret this file handles, searched for in the audit table at the end. */
    const secrets = new Map<string, string>();
    const keep = (what: string, value: string | undefined) => {
      assert.ok(value, `${what} is there to keep`);
      secrets.set(`${what} #${secrets.size}`, value);
      return value;
    };

    /** A user's access token from a code flow at the console, signed in on the real login page. */
    async function consoleToken(credentials: Credentials): Promise<string> {
      const { pending, callback } = await obtainCallback(newBrowser(server), consoleConfig, 'openid gatehouse:manage', { credentials });
      keep('authorization code', callback.searchParams.get('code') ?? undefined);
      const tokens = await redeem(consoleConfig, pending, callback);
      assert.deepEqual(tokens.scope?.split(' ').sort(), ['gatehouse:manage', 'openid'], 'the engine granted the scope the console names');
      keep('id token', tokens.id_token);
      return keep(`${credentials.username}'s access token`, tokens.access_token);
    }

    before(async () => {
      time = pinTime();
      server = await startServer({ dialect, declarations, clock: time, env: { GATEHOUSE_ADMIN_PASSWORD: adminPassword } });
      consoleConfig = await oidc.discovery(new URL(server.issuer), 'console', undefined, oidc.None(), insecure);
      adminId = (await server.services.users.findByUsername('admin'))!.id;
      aliceId = (await server.services.users.findByUsername('alice'))!.id;
      for (const clientId of ['automation', 'reporting', 'unscoped']) keep(`${clientId}'s secret`, secretOf(clientId));
      keep('admin password', adminPassword);
      keep('alice\'s password', alice.password);
    });
    after(async () => {
      await server?.close();
      time?.release();
    });

    test('the first administrator exists although the file declares users: admin, in gatehouse-admins', async () => {
      assert.equal(server.startup.admin?.kind, 'created');
      const administrator = await server.services.users.findById(adminId);
      assert.deepEqual(administrator?.groups, [defaults.administratorsGroup]);
      assert.equal((await server.services.users.findById(aliceId))?.groups.includes(defaults.administratorsGroup), false);
    });

    test('no token: 401 with a bare Bearer challenge, and no audit event (anyone may knock)', async () => {
      const added = await eventsOf(server, async () => {
        assertRefused(await callApi(server, undefined, 'GET', '/applications'), 401);
        // A scheme other than Bearer is no token either.
        const basic = await fetch(`${server.url}/api/v1/applications`, { headers: { accept: 'application/json', ...basicAuth('automation', secretOf('automation')) } });
        assert.equal(basic.status, 401);
        assert.doesNotMatch(basic.headers.get('www-authenticate') ?? '', /error=/);
      }, 'management.refused');
      assert.deepEqual(added, []);
    });

    test('a token Gatehouse never issued: 401 invalid_token, recorded with an anonymous actor', async () => {
      const garbage = keep('garbage token', 'not-a-token-gatehouse-ever-issued-0123456789');
      const event = await oneEventOf(server, 'management.refused', async () => {
        assertRefused(await callApi(server, garbage, 'GET', '/applications?limit=5'), 401, 'invalid_token');
      });
      assert.deepEqual(
        { reason: event.reason, actor: [event.actor_kind, event.actor_id], client: event.client_id, user: event.user_id, details: event.details },
        { reason: 'invalid_token', actor: ['anonymous', null], client: null, user: null, details: { method: 'GET', path: '/api/v1/applications' } },
      );
      assert.ok(event.client_address, 'the address it came from');
    });

    test('an application\'s token for another scope: 403 insufficient_scope', async () => {
      const answer = await postToken(server, { grant_type: 'client_credentials', scope: 'reports:read' }, basicAuth('reporting', secretOf('reporting')));
      assert.equal(answer.status, 200);
      const token = keep('reporting\'s token', answer.body.access_token as string);
      // Nor can it ask for the API's scope: it does not name it.
      const asked = await postToken(server, { grant_type: 'client_credentials', scope: 'gatehouse:manage' }, basicAuth('reporting', secretOf('reporting')));
      assert.equal(asked.body.error, 'invalid_scope');
      const event = await oneEventOf(server, 'management.refused', async () => {
        assertRefused(await callApi(server, token, 'GET', '/applications'), 403, 'insufficient_scope');
      });
      assert.deepEqual([event.reason, event.actor_kind, event.actor_id, event.client_id], ['insufficient_scope', 'client', 'reporting', 'reporting']);
    });

    test('an application that names no scope gets a gatehouse:manage token, but the API refuses it: the application must name the scope', async () => {
      const answer = await postToken(server, { grant_type: 'client_credentials', scope: 'gatehouse:manage' }, basicAuth('unscoped', secretOf('unscoped')));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.scope, 'gatehouse:manage', 'the engine granted what was asked');
      const token = keep('unscoped\'s token', answer.body.access_token as string);
      const event = await oneEventOf(server, 'management.refused', async () => {
        assertRefused(await callApi(server, token, 'GET', '/applications'), 403, 'insufficient_scope');
      });
      assert.deepEqual([event.reason, event.client_id], ['insufficient_scope', 'unscoped']);
    });

    test('the machine application that names the scope: its client credentials token is let in', async () => {
      const granted = await postToken(server, { grant_type: 'client_credentials', scope: 'gatehouse:manage' }, basicAuth('automation', secretOf('automation')));
      assert.deepEqual({ ...granted.body, access_token: undefined }, { access_token: undefined, expires_in: defaults.ttl.clientCredentials, token_type: 'Bearer', scope: 'gatehouse:manage' }, 'the answer docs/management-api.md shows');
      const token = keep('automation\'s token', granted.body.access_token as string);
      const answer = await apiClient(server, token).get('/applications');
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.ok(answer.body.items.some((item: { client_id: string }) => item.client_id === 'console'), 'the applications are listed');
    });

    test('an ordinary user signed in at the console: the token has the scope, the user is no administrator: 403', async () => {
      const token = await consoleToken(alice);
      const event = await oneEventOf(server, 'management.refused', async () => {
        assertRefused(await callApi(server, token, 'GET', '/applications'), 403, 'insufficient_scope');
      });
      assert.deepEqual(
        { reason: event.reason, actor: [event.actor_kind, event.actor_id], user: event.user_id, client: event.client_id },
        { reason: 'not_administrator', actor: ['user', aliceId], user: aliceId, client: 'console' },
      );
    });

    test('the first administrator signed in at the console on the login page: let in, and changes are theirs; out at once when removed from gatehouse-admins, in again when back', async () => {
      const token = await consoleToken(admin);
      const api = apiClient(server, token);
      assert.equal((await api.get('/applications')).status, 200);

      const created = await oneEventOf(server, 'application.created', async () => {
        const answer = await api.post('/applications', { client_id: 'by-admin', redirect_uris: [redirectUri] });
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
        keep('by-admin\'s generated secret', answer.body.client_secret);
      });
      assert.deepEqual([created.actor_kind, created.actor_id], ['api', `user:${adminId}`]);

      await server.services.users.updateUser(cli, adminId, { groups: [] });
      const event = await oneEventOf(server, 'management.refused', async () => {
        assertRefused(await api.get('/applications'), 403, 'insufficient_scope');
      });
      assert.deepEqual([event.reason, event.user_id], ['not_administrator', adminId]);

      await server.services.users.updateUser(cli, adminId, { groups: [defaults.administratorsGroup] });
      assert.equal((await api.get('/applications')).status, 200, 'the same token, checked again');
    });

    test('an administrator disabled: the token stops working at once (disabling ends the user\'s tokens)', async () => {
      const token = await consoleToken(admin);
      assert.equal((await apiClient(server, token).get('/applications')).status, 200);
      await server.services.users.disableUser(cli, adminId);
      const event = await oneEventOf(server, 'management.refused', async () => {
        assertRefused(await callApi(server, token, 'GET', '/applications'), 401, 'invalid_token');
      });
      assert.equal(event.reason, 'invalid_token');
      await server.services.users.enableUser(cli, adminId);
      assertRefused(await callApi(server, token, 'GET', '/applications'), 401, 'invalid_token');
    });

    test('a token revoked at the revocation endpoint: 401 at once', async () => {
      const machine = keep('automation\'s token', await machineToken(server));
      assert.equal((await apiClient(server, machine).get('/applications')).status, 200);
      const revoked = await postForm(server, 'token/revocation', { token: machine }, basicAuth('automation', secretOf('automation')));
      assert.equal(revoked.status, 200);
      assertRefused(await callApi(server, machine, 'GET', '/applications'), 401, 'invalid_token');

      const user = await consoleToken(admin);
      assert.equal((await apiClient(server, user).get('/applications')).status, 200);
      await oidc.tokenRevocation(consoleConfig, user);
      assertRefused(await callApi(server, user, 'GET', '/applications'), 401, 'invalid_token');
    });

    test('an expired token: 401', async () => {
      const token = keep('automation\'s token', await machineToken(server));
      assert.equal((await apiClient(server, token).get('/applications')).status, 200);
      time.advance(defaults.ttl.clientCredentials + 1);
      assertRefused(await callApi(server, token, 'GET', '/applications'), 401, 'invalid_token');
    });

    test('a deleted application\'s token: 401 at once', async () => {
      const api = apiClient(server, keep('automation\'s token', await machineToken(server)));
      const created = await api.post('/applications', { client_id: 'doomed', grant_types: ['client_credentials'], scope: 'gatehouse:manage' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const secret = keep('doomed\'s generated secret', created.body.client_secret);
      const answer = await postToken(server, { grant_type: 'client_credentials', scope: 'gatehouse:manage' }, basicAuth('doomed', secret));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const token = keep('doomed\'s token', answer.body.access_token as string);
      assert.equal((await apiClient(server, token).get('/applications')).status, 200);

      assert.equal((await api.delete('/applications/doomed')).status, 204);
      assertRefused(await callApi(server, token, 'GET', '/applications'), 401, 'invalid_token');
    });

    test('an application that stops naming the scope: its tokens are refused at once', async () => {
      const api = apiClient(server, keep('automation\'s token', await machineToken(server)));
      const created = await api.post('/applications', { client_id: 'nightly', grant_types: ['client_credentials'], scope: 'gatehouse:manage reports:read' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const secret = keep('nightly\'s generated secret', created.body.client_secret);
      const answer = await postToken(server, { grant_type: 'client_credentials', scope: 'gatehouse:manage' }, basicAuth('nightly', secret));
      const token = keep('nightly\'s token', answer.body.access_token as string);
      assert.equal((await apiClient(server, token).get('/applications')).status, 200);

      assert.equal((await api.put('/applications/nightly', { grant_types: ['client_credentials'], scope: 'reports:read' })).status, 200);
      const event = await oneEventOf(server, 'management.refused', async () => {
        assertRefused(await callApi(server, token, 'GET', '/applications'), 403, 'insufficient_scope');
      });
      assert.deepEqual([event.reason, event.client_id], ['insufficient_scope', 'nightly']);
    });

    // The engine binds a token to the client's key when the client sends a DPoP proof (RFC 9449);
    // such a token presented as a bare bearer token, without a proof, must not let anybody in.
    test('a DPoP-bound token presented without its proof is refused', async () => {
      const automationConfig = await oidc.discovery(new URL(server.issuer), 'automation', secretOf('automation'), undefined, insecure);
      const DPoP = oidc.getDPoPHandle(automationConfig, await oidc.randomDPoPKeyPair());
      const tokens = await oidc.clientCredentialsGrant(automationConfig, { scope: 'gatehouse:manage' }, { DPoP });
      assert.equal(tokens.token_type, 'dpop');
      assertRefused(await callApi(server, keep('a DPoP-bound token', tokens.access_token), 'GET', '/applications'), 401, 'invalid_token');
    });

    test('every refusal of a token is in the audit log with its reason; none of the tokens, codes, passwords or secrets is', async () => {
      const refused = await auditEvents(server, 'management.refused');
      assert.deepEqual([...new Set(refused.map((event) => event.reason))].sort(), ['insufficient_scope', 'invalid_token', 'not_administrator']);
      assert.ok(refused.every((event) => event.details.method === 'GET' && event.details.path === '/api/v1/applications'), 'each names the method and the route');

      await server.audit.flush();
      const table = await wholeTableAsText(server.services.deps.db);
      assert.match(table, /management\.refused/, 'the table searched is the one the refusals are in');
      assert.ok(secrets.size >= 20, `${secrets.size} values looked for`);
      const found = [...secrets].filter(([, value]) => table.includes(value) || table.includes(encodeURIComponent(value))).map(([what]) => what);
      assert.deepEqual(found, []);
    });
  });
}
