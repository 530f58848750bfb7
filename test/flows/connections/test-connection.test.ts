/*
 * Test connection (`gatehouse connections test <id>`) against a real upstream identity provider
 * on 127.0.0.1 (test/helpers/upstream-idp.ts), through the command line on the data a server
 * would use: a good configuration is all green, and each bad one is named for what is wrong.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { customFetch } from 'openid-client';
import { bootstrap, type Bootstrapped } from '../../../src/bootstrap.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { loadConfig } from '../../../src/config/load.js';
import { oidcConnectionInputSchema } from '../../../src/connections/connection-schema.js';
import { defaultSecuritySettings } from '../../../src/config/security-settings.js';
import { isGatehouseError } from '../../../src/errors/gatehouse-error.js';
import type { Actor } from '../../../src/runtime/actor.js';
import { systemClock } from '../../../src/runtime/clock.js';
import { randomIds } from '../../../src/runtime/ids.js';
import { createServices, type Services } from '../../../src/services.js';
import { createPostgresDatabase, dialects } from '../../helpers/databases.js';
import { startUpstreamIdp, type UpstreamIdp } from '../../helpers/upstream-idp.js';
import { asOidc } from '../../helpers/connection-types.js';

const publicUrl = 'https://id.example.test';
const secret = 'upstream-client-secret-0123456789abcdef';
const operator: Actor = { kind: 'cli', command: 'test' };

for (const dialect of dialects) {
  describe(`Test connection against a real upstream (${dialect})`, () => {
    let upstream: UpstreamIdp;
    let env: Record<string, string>;
    let boot: Bootstrapped;
    let services: Services;
    let cleanup: () => Promise<void>;

    /** `gatehouse connections …` as the operator runs it beside the server, private upstreams allowed unless told. */
    async function gatehouse(argv: string[], envChanges: Record<string, string | undefined> = {}) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, {
        stdin: Readable.from([]),
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        env: Object.fromEntries(Object.entries({ ...env, ...envChanges }).filter(([, value]) => value !== undefined)) as Record<string, string>,
      });
      return { code, stdout, stderr };
    }

    const declare = (id: string, fields: Record<string, unknown>) => services.connections.createConnection(operator, oidcConnectionInputSchema.parse({
      id, name: `Corp ${id}`, type: 'oidc', client_id: 'gatehouse', client_secret: secret, ...fields,
    }));

    before(async () => {
      upstream = await startUpstreamIdp({ users: [{ sub: '00u1ann', preferred_username: 'ann' }], name: 'Corp Okta' });
      const dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-connection-test-'));
      env = { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_PUBLIC_URL: publicUrl, GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true', GATEHOUSE_LOG_LEVEL: 'silent' };
      const database = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
      if (database) Object.assign(env, { DATABASE_URL: database.url, GATEHOUSE_SECRET: 'connection-test-secret-0123456789abcdef' });
      boot = await bootstrap(loadConfig(env), { clock: systemClock });
      services = createServices({
        db: boot.storage.db, box: boot.box, clock: systemClock, ids: randomIds, security: defaultSecuritySettings,
        connections: { allowPrivateUpstreams: true, publicOrigin: publicUrl, testSignInUrl: async (connection) => `${publicUrl}/login/oidc/${connection.id}/test` },
      });
      cleanup = async () => {
        await services.close();
        await boot.close();
        await database?.drop();
        await rm(dataDir, { recursive: true, force: true });
      };
      upstream.registerGatehouse(publicUrl, 'okta', { clientId: 'gatehouse', clientSecret: secret });
      upstream.registerGatehouse(publicUrl, 'onelogin', { clientId: 'gatehouse-post', clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_post' });
      await declare('okta', { discovery_url: upstream.discoveryUrl });
    });
    after(async () => {
      await cleanup?.();
      await upstream?.close();
    });

    test('connections list shows each connection with the redirect URI to register at the upstream', async () => {
      await declare('spare', { discovery_url: upstream.discoveryUrl, enabled: false });
      const { code, stdout } = await gatehouse(['connections', 'list']);
      assert.equal(code, 0);
      assert.equal(stdout, `okta\tCorp okta\toidc\tenabled\t${publicUrl}/login/oidc/okta/callback\nspare\tCorp spare\toidc\tdisabled\t${publicUrl}/login/oidc/spare/callback\n`);
      await services.connections.deleteConnection(operator, 'spare');
    });

    test('connections delete retires a connection the file no longer declares, and refuses one it still does, naming the file', async () => {
      const configFile = path.join(env.GATEHOUSE_DATA_DIR!, 'gatehouse.yaml');
      const declaring = (ids: string[]) => writeFile(configFile, ids.length === 0 ? 'connections: []\n' : `connections:\n${ids.map((id) => [
        `  - id: ${id}`, `    name: Corp ${id}`, '    type: oidc', `    discovery_url: ${upstream.discoveryUrl}`, '    client_id: gatehouse', `    client_secret: ${secret}`,
      ].join('\n')).join('\n')}\n`);
      await declare('retired', { discovery_url: upstream.discoveryUrl });
      await declaring(['retired']);
      const refused = await gatehouse(['connections', 'delete', 'retired'], { GATEHOUSE_CONFIG: configFile });
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, `gatehouse: connection "retired" is declared in ${configFile}, and the next start would create it again: remove it from the file (or set enabled: false there) first\n`);
      assert.ok(await services.connections.find('retired'), 'still there');
      await declaring([]);
      const deleted = await gatehouse(['connections', 'delete', 'retired'], { GATEHOUSE_CONFIG: configFile });
      assert.deepEqual([deleted.code, deleted.stderr], [0, '']);
      assert.match(deleted.stdout, /^deleted connection "retired"/);
      assert.equal(await services.connections.find('retired'), undefined);
      const missing = await gatehouse(['connections', 'delete', 'retired']);
      assert.deepEqual([missing.code, missing.stderr], [1, 'gatehouse: no connection "retired"\n']);
    });

    test('a good configuration from its discovery URL passes every check', async () => {
      const { code, stdout, stderr } = await gatehouse(['connections', 'test', 'okta']);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      const lines = stdout.trim().split('\n').slice(0, 5);
      assert.deepEqual(lines.map((line) => line.split(':')[0]), ['ok    metadata', 'ok    issuer', 'ok    endpoints', 'ok    jwks', 'ok    client_credentials']);
      assert.match(stdout, new RegExp(`issuer: the discovery document names the expected issuer ${upstream.issuer}`));
      assert.match(stdout, /jwks: 1 signing key at .*: upstream-key-1/);
      assert.match(stdout, /client_credentials: accepted: the upstream refused only the made-up code \(invalid_grant\)/);
      assert.match(stdout, new RegExp(`To sign in once through it and see the claims \\(nothing is created\\), open:\n  ${publicUrl}/login/oidc/okta/test\\?token=[^\\s]+\n$`));
    });

    test('the service\'s report offers the sign-in round trip only when every check passed', async () => {
      const good = await services.connections.testConnection('okta');
      assert.equal(good.ok, true);
      assert.equal(good.signInUrl, `${publicUrl}/login/oidc/okta/test`);
      await declare('wrong-secret', { discovery_url: upstream.discoveryUrl, client_secret: 'not-the-secret' });
      const bad = await services.connections.testConnection('wrong-secret');
      assert.equal(bad.ok, false);
      assert.equal(bad.signInUrl, undefined);
      await assert.rejects(services.connections.testConnection('nobody'), /no connection "nobody"/);
    });

    test('endpoints typed in by hand, with client_secret_post, pass every check', async () => {
      const { endpoints } = upstream;
      await declare('onelogin', {
        client_id: 'gatehouse-post', token_endpoint_auth_method: 'client_secret_post',
        issuer: endpoints.issuer, authorization_endpoint: endpoints.authorizationEndpoint, token_endpoint: endpoints.tokenEndpoint,
        userinfo_endpoint: endpoints.userinfoEndpoint, jwks_uri: endpoints.jwksUri, end_session_endpoint: endpoints.endSessionEndpoint,
      });
      const { code, stdout } = await gatehouse(['connections', 'test', 'onelogin']);
      assert.equal(code, 0, stdout);
      assert.match(stdout, /ok    metadata: the endpoints are configured by hand/);
      assert.match(stdout, new RegExp(`ok    issuer: id_tokens must come from ${upstream.issuer}`));
    });

    test('a wrong client secret is named, and the exit status says a check failed', async () => {
      const { code, stdout, stderr } = await gatehouse(['connections', 'test', 'wrong-secret']);
      assert.equal(code, 1);
      assert.match(stdout, /ok    jwks: /);
      assert.match(stdout, /FAIL  client_credentials: the upstream refused the client ID and secret \(invalid_client[^)]*\): check client_id and client_secret/);
      assert.match(stderr, /gatehouse: connection "wrong-secret": 1 of 5 checks failed \(client_credentials\)/);
    });

    test('the wrong authentication method is named with the hint for OneLogin', async () => {
      await declare('post-for-basic', { discovery_url: upstream.discoveryUrl, token_endpoint_auth_method: 'client_secret_post' });
      const { code, stdout } = await gatehouse(['connections', 'test', 'post-for-basic']);
      assert.equal(code, 1);
      assert.match(stdout, /FAIL  client_credentials: .*token_endpoint_auth_method \(client_secret_post\) is what the upstream expects \(OneLogin's "POST" is client_secret_post\)/);
    });

    test('a discovery document for another issuer is named with both issuers, and the sign-in side refuses it too', async () => {
      const elsewhere = upstream.discoveryUrl.replace('127.0.0.1', 'localhost');
      const { connection } = await declare('mixed-up', { discovery_url: elsewhere });
      const { code, stdout } = await gatehouse(['connections', 'test', 'mixed-up']);
      assert.equal(code, 1);
      const expected = elsewhere.replace('/.well-known/openid-configuration', '');
      assert.ok(stdout.includes(`FAIL  issuer: the discovery document names the issuer "${upstream.issuer}", but its URL belongs to the issuer "${expected}"`), stdout);
      await assert.rejects(services.connections.upstreamConfiguration(asOidc(connection)), (error) => isGatehouseError(error) && error.code === 'upstream_failed' && error.message.startsWith('connection "mixed-up": the discovery document names the issuer'));
    });

    test('a key set without signing keys is named', async () => {
      const { endpoints } = upstream;
      await declare('no-keys', {
        issuer: endpoints.issuer, authorization_endpoint: endpoints.authorizationEndpoint, token_endpoint: endpoints.tokenEndpoint,
        jwks_uri: upstream.discoveryUrl,
      });
      const { stdout } = await gatehouse(['connections', 'test', 'no-keys']);
      assert.match(stdout, /FAIL  jwks: .*\/\.well-known\/openid-configuration has no signing keys, so no id_token from this upstream could be verified/);
    });

    test('a key set behind a redirect within its host fails, as it would at sign-in, where openid-client follows no redirect', async () => {
      const keySet = await (await fetch(upstream.endpoints.jwksUri)).text();
      const moved = createServer((request, response) => {
        if (request.url === '/keys') response.writeHead(200, { 'content-type': 'application/json' }).end(keySet);
        else response.writeHead(301, { location: '/keys' }).end();
      });
      const port = await new Promise<number>((resolve) => moved.listen(0, '127.0.0.1', () => resolve((moved.address() as AddressInfo).port)));
      try {
        const { endpoints } = upstream;
        const { connection } = await declare('moved-keys', {
          issuer: endpoints.issuer, authorization_endpoint: endpoints.authorizationEndpoint, token_endpoint: endpoints.tokenEndpoint,
          jwks_uri: `http://127.0.0.1:${port}/moved`,
        });
        const { code, stdout } = await gatehouse(['connections', 'test', 'moved-keys']);
        assert.equal(code, 1);
        const refusal = `connection "moved-keys": http://127.0.0.1:${port}/moved redirects to http://127.0.0.1:${port}/keys (HTTP 301); Gatehouse follows no redirects: configure the URL it redirects to`;
        assert.ok(stdout.includes(`FAIL  jwks: ${refusal}`), stdout);
        // The sign-in side asks as openid-client does, with redirect: 'manual', and gets the same refusal.
        const signInFetch = services.connections.upstreamConfiguration(asOidc(connection)).then((configuration) => configuration[customFetch]!(`http://127.0.0.1:${port}/moved`, { redirect: 'manual', headers: {}, method: 'GET', body: undefined, signal: undefined }));
        await assert.rejects(signInFetch, (error) => isGatehouseError(error) && error.message === refusal);
      } finally {
        moved.close();
      }
    });

    test('an upstream that is down is named with its host and why', async () => {
      await upstream.stop();
      try {
        const { code, stdout } = await gatehouse(['connections', 'test', 'okta']);
        assert.equal(code, 1);
        const host = new URL(upstream.issuer).host;
        assert.ok(stdout.includes(`FAIL  metadata: could not read the discovery document: connection "okta": cannot reach ${host}: the connection was refused (ECONNREFUSED)`), stdout);
        assert.match(stdout, /FAIL  client_credentials: not checked: the upstream's metadata could not be read/);
      } finally {
        await upstream.resume();
      }
    });

    test('without GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS the upstream on 127.0.0.1 is refused, naming the setting', async () => {
      const { code, stdout } = await gatehouse(['connections', 'test', 'okta'], { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: undefined });
      assert.equal(code, 1);
      assert.match(stdout, /FAIL  metadata: could not read the discovery document: connection "okta": 127\.0\.0\.1:\d+: plain http is allowed only to private addresses, with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true/);
      const manual = await gatehouse(['connections', 'test', 'onelogin'], { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: undefined });
      assert.equal(manual.code, 1);
      assert.match(manual.stdout, /FAIL  endpoints: authorization_endpoint: must use https \(plain http is allowed only to private addresses, with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true\); token_endpoint: /);
      assert.match(manual.stdout, /FAIL  jwks: not checked: jwks_uri is not usable/);
    });

    test('the sign-in side\'s configuration is cached, and read again when the connection changes', async () => {
      const okta = asOidc(await services.connections.find('okta'));
      const first = await services.connections.upstreamConfiguration(okta);
      assert.equal(await services.connections.upstreamConfiguration(okta), first, 'unchanged: the same Configuration');
      assert.equal(first.serverMetadata().issuer, upstream.issuer);
      assert.equal(first.clientMetadata().client_id, 'gatehouse');
      const { connection: renamed } = await services.connections.updateConnection(operator, oidcConnectionInputSchema.parse({
        id: 'okta', name: 'Okta', type: 'oidc', discovery_url: upstream.discoveryUrl, client_id: 'gatehouse', client_secret: 'rotated-secret',
      }));
      assert.notEqual(await services.connections.upstreamConfiguration(asOidc(renamed)), first, 'a changed connection is read again');
    });
  });
}
