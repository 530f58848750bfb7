/*
 * Connections through the management API, over HTTP on the real server, against a real upstream
 * identity provider on 127.0.0.1 (test/helpers/upstream-idp.ts): both types are created, read,
 * replaced, tested and deleted; a secret goes in and never comes out (a replacement without it
 * keeps it, as Test connection shows); a declared connection is refused; bad fields are named;
 * and without GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS the upstream's private address is refused.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { allPages, apiClient, automation, machineToken, type ApiAnswer, type ApiClient } from '../../helpers/management-api.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { startUpstreamIdp, type UpstreamIdp } from '../../helpers/upstream-idp.js';
import { oidcConnection, upstreamSecret } from '../connections/fixtures.js';

const partnerSecret = 'partner-hmac-secret-0123456789abcdefghijklmnop';
const declaredSecret = 'declared-client-secret-0123456789abcdefghij';
const partnerPublicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const partner = { id: 'partner', type: 'jwt', name: 'Partner portal', sign_in_url: 'http://127.0.0.1:9/sign-in', secret: partnerSecret };

const pathsOf = (answer: ApiAnswer) => answer.body.details?.map((detail: { path: string }) => detail.path);
const checksOf = (answer: ApiAnswer) => answer.body.checks.map((check: { check: string; ok: boolean }) => `${check.check} ${check.ok ? 'ok' : 'FAIL'}`);

/** A client that keeps the text of every answer, so that a test can look for a secret in all of them. */
function recording(api: ApiClient, answers: string[]): ApiClient {
  const kept = async (answer: Promise<ApiAnswer>) => {
    const settled = await answer;
    answers.push(JSON.stringify(settled.body));
    return settled;
  };
  return {
    get: (path) => kept(api.get(path)),
    post: (path, body) => kept(api.post(path, body)),
    put: (path, body) => kept(api.put(path, body)),
    patch: (path, body) => kept(api.patch(path, body)),
    delete: (path) => kept(api.delete(path)),
  };
}

for (const dialect of dialects) {
  describe(`connections through the management API (${dialect})`, () => {
    let upstream: UpstreamIdp;
    let server: TestServer;
    let api: ApiClient;
    const answers: string[] = [];

    before(async () => {
      upstream = await startUpstreamIdp({ users: [{ sub: '00u1ann', preferred_username: 'ann' }], name: 'Corp Okta' });
      server = await startServer({
        dialect, env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
        declarations: { applications: [automation], connections: [oidcConnection('declared', upstream.discoveryUrl, { client_secret: declaredSecret })] },
      });
      upstream.registerGatehouse(server.issuer, 'okta', { clientId: 'gatehouse-okta', clientSecret: upstreamSecret });
      api = recording(apiClient(server, await machineToken(server)), answers);
    });
    after(async () => {
      await server?.close();
      await upstream?.close();
    });

    test('an upstream created through the API is shown with its callback URL and whether it has a secret, never the secret', async () => {
      const created = await api.post('/connections', oidcConnection('okta', upstream.discoveryUrl));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { created_at: createdAt, updated_at: updatedAt, ...view } = created.body;
      assert.deepEqual(view, {
        id: 'okta', type: 'oidc', name: 'Corp okta', enabled: true, discovery_url: upstream.discoveryUrl, client_id: 'gatehouse-okta',
        token_endpoint_auth_method: 'client_secret_basic', scopes: ['openid', 'profile', 'email'], username_claim: 'preferred_username',
        provisioning: 'create', update_profile: 'on_login', groups_claim: 'groups', email_domains: [], forward_login_hint: true, trust_upstream_mfa: false,
        has_secret: true, declared: false, callback_url: `${new URL(server.issuer).origin}/login/oidc/okta/callback`,
      });
      assert.equal(createdAt, updatedAt);
      assert.deepEqual((await api.get('/connections/okta')).body, created.body);
    });

    test('Test connection runs every check against the upstream and returns its report', async () => {
      const report = await api.post('/connections/okta/test');
      assert.equal(report.status, 200, JSON.stringify(report.body));
      assert.deepEqual(checksOf(report), ['metadata ok', 'issuer ok', 'endpoints ok', 'jwks ok', 'client_credentials ok']);
      assert.equal(report.body.ok, true);
      assert.equal(report.body.connection_id, 'okta');
      assert.match(report.body.sign_in_url, /^http:\/\/127\.0\.0\.1:\d+\/login\/oidc\/okta\/test/);
    });

    test('a replacement changes the secret when given one and keeps it when left out, as Test connection shows', async () => {
      const wrong = await api.put('/connections/okta', { ...oidcConnection('okta', upstream.discoveryUrl, { client_secret: 'not-what-the-upstream-issued-0123456789' }), id: undefined });
      assert.equal(wrong.status, 200, JSON.stringify(wrong.body));
      assert.deepEqual(checksOf(await api.post('/connections/okta/test')).at(-1), 'client_credentials FAIL');
      assert.equal((await api.put('/connections/okta', { ...oidcConnection('okta', upstream.discoveryUrl), id: undefined })).status, 200);
      const { id: _id, client_secret: _secret, ...withoutSecret } = oidcConnection('okta', upstream.discoveryUrl, { name: 'Corp Okta', enabled: false });
      const kept = await api.put('/connections/okta', withoutSecret);
      assert.equal(kept.status, 200, JSON.stringify(kept.body));
      assert.deepEqual([kept.body.name, kept.body.enabled, kept.body.has_secret], ['Corp Okta', false, true]);
      assert.ok(kept.body.updated_at > kept.body.created_at);
      assert.equal((await api.post('/connections/okta/test')).body.ok, true, 'the stored secret was kept');
    });

    test('a kept secret goes only where it went: a replacement that moves an endpoint or the client must give the secret again', async () => {
      const { id: _id, client_secret: _secret, ...withoutSecret } = oidcConnection('okta', upstream.discoveryUrl, { name: 'Corp Okta', enabled: false });
      const elsewhere = { ...withoutSecret, discovery_url: undefined, issuer: upstream.issuer, authorization_endpoint: `${upstream.issuer}/authorize`, token_endpoint: 'http://127.0.0.1:9/collect', jwks_uri: `${upstream.issuer}/jwks` };
      for (const moved of [elsewhere, { ...withoutSecret, client_id: 'someone-else' }, { ...withoutSecret, token_endpoint_auth_method: 'client_secret_post' }]) {
        const refused = await api.put('/connections/okta', moved);
        assert.deepEqual([refused.status, pathsOf(refused)], [400, ['body.client_secret']], JSON.stringify(refused.body));
      }
      assert.equal((await api.get('/connections/okta')).body.discovery_url, upstream.discoveryUrl, 'nothing was changed');
      assert.equal((await api.post('/connections/okta/test')).body.ok, true);
    });

    test('a partner (jwt): its secret is taken and never shown; replaced with a public key, it has none', async () => {
      const created = await api.post('/connections', partner);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual([created.body.has_secret, created.body.callback_url], [true, `${new URL(server.issuer).origin}/login/jwt/partner`]);
      assert.equal(created.body.secret, undefined);
      assert.deepEqual(checksOf(await api.post('/connections/partner/test')), ['key ok']);
      const { id: _id, secret: _secret, ...rest } = partner;
      const renamed = await api.put('/connections/partner', { ...rest, name: 'Partner' });
      assert.deepEqual([renamed.status, renamed.body.has_secret], [200, true], 'no key given: the secret stays');
      const publicKey = await api.put('/connections/partner', { ...rest, public_key: partnerPublicKey });
      assert.equal(publicKey.status, 200, JSON.stringify(publicKey.body));
      assert.deepEqual([publicKey.body.has_secret, publicKey.body.public_key], [false, partnerPublicKey]);
      const keySet = await api.post('/connections', { ...rest, id: 'keyset', public_key: undefined, jwks_uri: upstream.endpoints.jwksUri });
      assert.equal(keySet.status, 201, JSON.stringify(keySet.body));
      assert.deepEqual(checksOf(await api.post('/connections/keyset/test')), ['jwks ok']);
    });

    test('GET /connections: page by page in id order, the declared one marked and refused', async () => {
      const { items, pages } = await allPages(api, '/connections', 2);
      assert.equal(pages, 2);
      assert.deepEqual(items.map((item) => [item.id, item.type, item.declared, item.has_secret]),
        [['declared', 'oidc', true, true], ['keyset', 'jwt', false, false], ['okta', 'oidc', false, true], ['partner', 'jwt', false, false]]);
      const { id: _id, ...declaration } = oidcConnection('declared', upstream.discoveryUrl, { name: 'Mine now' });
      for (const answer of [await api.put('/connections/declared', declaration), await api.delete('/connections/declared')]) {
        assert.equal(answer.status, 409);
        assert.equal(answer.body.code, 'declared_in_config_file');
      }
      assert.equal((await api.get('/connections/declared')).body.name, 'Corp declared');
    });

    test('bad input is refused naming the field; an id taken is a conflict; an unknown id is not found', async () => {
      const cases: Array<[unknown, string[]]> = [
        [{ ...oidcConnection('x', upstream.discoveryUrl), discovery_url: undefined }, ['body.discovery_url']],
        [{ ...oidcConnection('x', upstream.discoveryUrl), issuer: upstream.issuer }, ['body.issuer']],
        [oidcConnection('Not An Id', upstream.discoveryUrl), ['body.id']],
        [{ ...partner, id: 'x', type: 'saml' }, ['body.type']],
        [{ ...partner, id: 'x', secret: 'short' }, ['body.secret']],
        [{ ...partner, id: 'x', public_key: partnerPublicKey }, ['body.public_key']],
      ];
      for (const [body, paths] of cases) {
        const answer = await api.post('/connections', body);
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.deepEqual(pathsOf(answer), paths, JSON.stringify(answer.body));
      }
      const { id: _id, ...replacement } = oidcConnection('okta', upstream.discoveryUrl);
      const both = await api.put('/connections/okta', { ...replacement, jwks_uri: upstream.endpoints.jwksUri });
      assert.deepEqual([both.status, pathsOf(both)], [400, ['body.jwks_uri']]);
      const withId = await api.put('/connections/okta', { ...replacement, id: 'okta' });
      assert.equal(withId.status, 400, 'the id is the path\'s');
      const taken = await api.post('/connections', oidcConnection('okta', upstream.discoveryUrl));
      assert.deepEqual([taken.status, taken.body.code], [409, 'conflict']);
      for (const answer of [
        await api.get('/connections/nowhere'), await api.put('/connections/nowhere', replacement),
        await api.delete('/connections/nowhere'), await api.post('/connections/nowhere/test'),
      ]) {
        assert.deepEqual([answer.status, answer.body.code], [404, 'not_found']);
      }
    });

    test('DELETE removes a connection', async () => {
      assert.equal((await api.delete('/connections/keyset')).status, 204);
      assert.equal((await api.get('/connections/keyset')).status, 404);
    });

    test('no answer ever carried a secret', () => {
      assert.ok(answers.length > 20);
      for (const secret of [upstreamSecret, partnerSecret, declaredSecret, 'not-what-the-upstream-issued']) {
        assert.equal(answers.find((text) => text.includes(secret)), undefined, `${secret.slice(0, 12)}… in an answer`);
      }
    });
  });
}

describe('connections through the management API, private upstreams not allowed', () => {
  let upstream: UpstreamIdp;
  let server: TestServer;
  let api: ApiClient;

  before(async () => {
    upstream = await startUpstreamIdp();
    server = await startServer({ declarations: { applications: [automation] } });
    api = apiClient(server, await machineToken(server));
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });

  test('an upstream or a partner key set on a private address, and a plain-http partner page, are refused naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [oidcConnection('okta', upstream.discoveryUrl), 'body.discovery_url'],
      [{ ...partner, secret: undefined, jwks_uri: upstream.endpoints.jwksUri, sign_in_url: 'https://partner.example.com/sign-in' }, 'body.jwks_uri'],
      [{ ...partner, sign_in_url: 'http://partner.example.com/sign-in' }, 'body.sign_in_url'],
    ];
    for (const [body, path] of cases) {
      const answer = await api.post('/connections', body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.deepEqual(pathsOf(answer), [path]);
    }
    assert.deepEqual((await api.get('/connections')).body.items, []);
  });
});
