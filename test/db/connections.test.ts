import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { oidcConnectionInputSchema } from '../../src/connections/connection-schema.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices, type Services } from '../../src/services.js';
import { applyDeclarations } from '../../src/setup/apply-declarations.js';
import { emptyDeclarations } from '../../src/setup/config-file.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';
import { asOidc } from '../helpers/connection-types.js';

const box = createSecretBox('connections-test-secret-0123456789-abcdef');
const cli: Actor = { kind: 'cli', command: 'test' };
const api: Actor = { kind: 'api', subject: 'console' };
const secret = 'okta-client-secret-that-nobody-knows';

const declaration = (fields: Record<string, unknown> = {}) => oidcConnectionInputSchema.parse({
  id: 'okta',
  name: 'Corp Okta',
  type: 'oidc',
  discovery_url: 'https://corp.okta.example/.well-known/openid-configuration',
  client_id: '0oa1client',
  client_secret: secret,
  ...fields,
});

for (const dialect of dialects) {
  describe(`connection commands (${dialect})`, () => {
    let opened: Awaited<ReturnType<typeof openFreshServices>>;
    let services: Services;
    const clock = pinnedClock();

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock });
      services = opened.services;
    });
    after(() => opened?.cleanup());

    test('a created connection reads back as declared, its secret sealed at rest and bound to its id', async () => {
      const { created, connection } = await services.connections.createConnection(cli, declaration({ email_domains: ['Corp.Example', 'corp-labs.example.'] }));
      assert.equal(created, true);
      assert.deepEqual(await services.connections.find('okta'), connection);
      assert.deepEqual(connection, {
        id: 'okta', type: 'oidc', name: 'Corp Okta', enabled: true,
        metadata: { discoveryUrl: 'https://corp.okta.example/.well-known/openid-configuration' },
        clientId: '0oa1client', clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_basic', scopes: ['openid', 'profile', 'email'],
        usernameClaim: 'preferred_username', provisioning: 'create', updateProfile: 'on_login', groupsClaim: undefined,
        emailDomains: ['corp.example', 'corp-labs.example'], forwardLoginHint: true, trustUpstreamMfa: false,
      });
      const row = await opened.storage.db.selectFrom('connections').selectAll().where('id', '=', 'okta').executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(secret), 'the secret is nowhere in clear');
      assert.equal(box.open(row.secret_sealed!, 'connection_client_secret:okta'), secret);
      assert.throws(() => box.open(row.secret_sealed!, 'connection_client_secret:google'), /cannot open/);
      assert.equal(row.owner, 'database');
      assert.deepEqual(JSON.parse(row.settings).client_id, '0oa1client');
    });

    test('manual endpoints are kept as typed in, and the enabled list and email domains find the right connection', async () => {
      await services.connections.createConnection(cli, declaration({
        id: 'onelogin', name: 'OneLogin', discovery_url: undefined, token_endpoint_auth_method: 'client_secret_post', enabled: false,
        issuer: 'https://corp.onelogin.example/oidc/2', authorization_endpoint: 'https://corp.onelogin.example/oidc/2/auth',
        token_endpoint: 'https://corp.onelogin.example/oidc/2/token', jwks_uri: 'https://corp.onelogin.example/oidc/2/certs',
        email_domains: ['onelogin-users.example'],
      }));
      const onelogin = asOidc(await services.connections.find('onelogin'));
      assert.deepEqual(onelogin.metadata, { endpoints: {
        issuer: 'https://corp.onelogin.example/oidc/2', authorizationEndpoint: 'https://corp.onelogin.example/oidc/2/auth',
        tokenEndpoint: 'https://corp.onelogin.example/oidc/2/token', userinfoEndpoint: undefined, jwksUri: 'https://corp.onelogin.example/oidc/2/certs', endSessionEndpoint: undefined,
      } });
      assert.equal(onelogin.tokenEndpointAuthMethod, 'client_secret_post');
      assert.deepEqual((await services.connections.list()).map((c) => c.id), ['okta', 'onelogin']);
      assert.deepEqual((await services.connections.listEnabled()).map((c) => c.id), ['okta']);
      assert.equal((await services.connections.findByEmailDomain('CORP.example'))?.id, 'okta');
      assert.equal((await services.connections.findByEmailDomain('onelogin-users.example'))?.id, 'onelogin');
      assert.equal(await services.connections.findByEmailDomain('elsewhere.example'), undefined);
    });

    test('a taken id or email domain is a conflict naming it, and nothing is written', async () => {
      const before = await services.connections.list();
      await assert.rejects(services.connections.createConnection(cli, declaration({ name: 'Another' })), /a connection "okta" exists already/);
      await assert.rejects(services.connections.createConnection(cli, declaration({ id: 'google', email_domains: ['corp.example'] })), /email domain "corp\.example" goes to connection "okta" already/);
      await assert.rejects(services.connections.updateConnection(cli, declaration({ id: 'onelogin', email_domains: ['corp-labs.example'] })), /goes to connection "okta" already/);
      assert.deepEqual(await services.connections.list(), before);
      assert.equal(await services.connections.find('google'), undefined);
      const kept = await services.connections.createConnection(cli, declaration({ name: 'Another' }), { existing: 'keep' });
      assert.equal(kept.created, false);
      assert.equal((await services.connections.find('okta'))?.name, 'Corp Okta');
    });

    test('two connections claiming one domain at once: one gets it, the other is a conflict', async () => {
      for (let round = 0; round < 3; round += 1) {
        const domain = `race-${round}.example`;
        const outcomes: Array<PromiseSettledResult<unknown>> = await Promise.allSettled([0, 1].map((i) => services.connections.createConnection(cli, declaration({ id: `racer-${round}-${i}`, email_domains: [domain] }))));
        assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, `round ${round}`);
        assert.match(String((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason), /conflict|goes to connection|another connection/);
        assert.ok(await services.connections.findByEmailDomain(domain));
      }
    });

    test('updating to what is stored writes nothing; a change is written, a new secret sealed anew', async () => {
      const db = opened.storage.db;
      const stored = await db.selectFrom('connections').selectAll().where('id', '=', 'okta').executeTakeFirstOrThrow();
      clock.advance(60);
      const same = await services.connections.updateConnection(cli, declaration({ email_domains: ['corp.example', 'corp-labs.example'] }));
      assert.equal(same.changed, false);
      assert.deepEqual(await db.selectFrom('connections').selectAll().where('id', '=', 'okta').executeTakeFirstOrThrow(), stored);
      const renamed = await services.connections.updateConnection(cli, declaration({ name: 'Okta', email_domains: ['corp.example', 'corp-labs.example'] }));
      assert.equal(renamed.changed, true);
      const afterRename = await db.selectFrom('connections').selectAll().where('id', '=', 'okta').executeTakeFirstOrThrow();
      assert.equal(afterRename.secret_sealed, stored.secret_sealed, 'an unchanged secret is not sealed again');
      assert.ok(afterRename.updated_at > stored.updated_at);
      await services.connections.updateConnection(cli, declaration({ name: 'Okta', client_secret: 'a-rotated-secret', email_domains: ['corp.example'] }));
      assert.equal(asOidc(await services.connections.find('okta')).clientSecret, 'a-rotated-secret');
      assert.equal(await services.connections.findByEmailDomain('corp-labs.example'), undefined, 'a domain left out is released');
      await assert.rejects(services.connections.updateConnection(cli, declaration({ id: 'nobody' })), /no connection "nobody"/);
    });

    test('what the file declares is refused to API callers, applied again unchanged writes nothing, and is released when the file stops declaring it', async () => {
      const apply = (connections: unknown[]) => applyDeclarations(services, { ...emptyDeclarations, connections: connections as typeof emptyDeclarations.connections }, {
        source: 'gatehouse.yaml', validatorFor: async () => async () => {},
      });
      const google = declaration({ id: 'google', name: 'Google', discovery_url: 'https://accounts.google.example/.well-known/openid-configuration', email_domains: ['gmail.example'] });
      const report = await apply([google]);
      assert.equal(report.connections, 1);
      const stored = await opened.storage.db.selectFrom('connections').selectAll().where('id', '=', 'google').executeTakeFirstOrThrow();
      assert.equal(stored.owner, 'config_file');
      await assert.rejects(services.connections.updateConnection(api, { ...google, name: 'Gmail' }), /connection "google" is declared in the configuration file; change it there/);
      await assert.rejects(services.connections.deleteConnection(api, 'google'), /declared in the configuration file/);
      clock.advance(60);
      await apply([google]);
      assert.deepEqual(await opened.storage.db.selectFrom('connections').selectAll().where('id', '=', 'google').executeTakeFirstOrThrow(), stored, 'a restart changes nothing');
      await assert.rejects(apply([google, declaration({ id: 'okta', email_domains: ['gmail.example'] })]), /gatehouse\.yaml: connections\[1\] \("okta"\): email domain "gmail\.example" goes to connection "google" already/);
      assert.equal((await services.connections.find('okta'))?.name, 'Okta', 'a refused file changes nothing');
      await apply([]);
      assert.equal((await services.connections.updateConnection(api, { ...google, name: 'Gmail' })).connection.name, 'Gmail');
    });

    test('a URL the environment does not allow is refused naming the field; with the setting, a private http upstream is accepted', async () => {
      const local = declaration({ id: 'local', discovery_url: 'http://127.0.0.1:9000/.well-known/openid-configuration' });
      await assert.rejects(services.connections.createConnection(cli, local), /discovery_url: must use https \(plain http is allowed only to private addresses, with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true\)/);
      await assert.rejects(services.connections.createConnection(cli, declaration({ id: 'local', discovery_url: 'https://10.0.0.8/.well-known/openid-configuration' })), /discovery_url: 10\.0\.0\.8 is a private address/);
      assert.equal(await services.connections.find('local'), undefined);
      const permissive = createServices({ db: opened.storage.db, box, clock, ids: randomIds, security: defaultSecuritySettings, connections: { allowPrivateUpstreams: true } });
      try {
        assert.equal((await permissive.connections.createConnection(cli, local)).created, true);
        await assert.rejects(permissive.connections.updateConnection(cli, { ...local, discovery_url: undefined, issuer: 'http://8.8.8.8', authorization_endpoint: 'https://a.example/auth', token_endpoint: 'https://a.example/token', jwks_uri: 'https://a.example/jwks' }), /issuer: 8\.8\.8\.8 is a public address, and plain http is allowed only to private addresses/);
      } finally {
        await permissive.close();
      }
    });

    test('deleting a connection removes it and frees its domains', async () => {
      await services.connections.deleteConnection(cli, 'okta');
      assert.equal(await services.connections.find('okta'), undefined);
      assert.equal(await services.connections.findByEmailDomain('corp.example'), undefined);
      await services.connections.createConnection(cli, declaration({ id: 'okta2', email_domains: ['corp.example'] }));
      assert.equal((await services.connections.findByEmailDomain('corp.example'))?.id, 'okta2');
      await assert.rejects(services.connections.deleteConnection(cli, 'okta'), /no connection "okta"/);
    });

    test('a row edited by hand into something unreadable is named, not used, and its declaration repairs it', async () => {
      await opened.storage.db.updateTable('connections').set({ settings: JSON.stringify({ client_id: 'x', scopes: ['profile'] }) }).where('id', '=', 'okta2').execute();
      await assert.rejects(services.connections.find('okta2'), /connection "okta2" is stored in a form Gatehouse cannot read \(scopes: must include openid/);
      const repaired = await services.connections.updateConnection(cli, declaration({ id: 'okta2', email_domains: ['corp.example'] }));
      assert.deepEqual([repaired.changed, asOidc(await services.connections.find('okta2')).scopes], [true, ['openid', 'profile', 'email']]);
    });

    const applyFile = (connections: unknown[]) => applyDeclarations(services, { ...emptyDeclarations, connections: connections as typeof emptyDeclarations.connections }, {
      source: 'gatehouse.yaml', validatorFor: async () => async () => {},
    });

    test('applying the file again repairs a declared row Gatehouse cannot read', async () => {
      const okta2 = declaration({ id: 'okta2', email_domains: ['corp.example'] });
      await applyFile([okta2]);
      await opened.storage.db.updateTable('connections').set({ settings: JSON.stringify({ client_id: 'x', scopes: ['profile'] }) }).where('id', '=', 'okta2').execute();
      await assert.rejects(services.connections.find('okta2'), /cannot read/);
      await applyFile([okta2]);
      assert.deepEqual(asOidc(await services.connections.find('okta2')).scopes, ['openid', 'profile', 'email']);
      await applyFile([]);
    });

    test('the file can swap and move email domains between the connections it declares, in any order, and a refusal changes nothing', async () => {
      const a = (domains: string[]) => declaration({ id: 'a', name: 'A', email_domains: domains });
      const b = (domains: string[]) => declaration({ id: 'b', name: 'B', email_domains: domains });
      const owners = async () => Object.fromEntries(await Promise.all(['one.example', 'two.example', 'three.example']
        .map(async (domain) => [domain, (await services.connections.findByEmailDomain(domain))?.id ?? null])));
      await applyFile([a(['one.example']), b(['two.example'])]);
      await applyFile([a(['two.example']), b(['one.example'])]);
      assert.deepEqual(await owners(), { 'one.example': 'b', 'two.example': 'a', 'three.example': null });
      await applyFile([b(['two.example', 'one.example']), a(['three.example'])]);
      assert.deepEqual(await owners(), { 'one.example': 'b', 'two.example': 'b', 'three.example': 'a' });
      await applyFile([a(['three.example', 'one.example']), b(['two.example'])]);
      assert.deepEqual(await owners(), { 'one.example': 'a', 'two.example': 'b', 'three.example': 'a' });
      await assert.rejects(applyFile([a(['three.example']), b(['two.example', 'corp.example'])]), /connections\[1\] \("b"\): email domain "corp\.example" goes to connection "okta2" already/);
      assert.deepEqual(await owners(), { 'one.example': 'a', 'two.example': 'b', 'three.example': 'a' }, 'the released domain is back: one transaction');
      await applyFile([]);
    });
  });
}
