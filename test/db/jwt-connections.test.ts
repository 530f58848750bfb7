/*
 * Connections of `type: jwt` (issue 16) stored through the connection service on every dialect:
 * the partner's HMAC secret sealed in `secret_sealed` bound to the jwt context, a public key or
 * key set stored without a secret, re-applying writes nothing, a connection may change type,
 * and partners claim no email domains.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Connection, JwtConnection } from '../../src/connections/connection.js';
import { connectionInputSchema, type ConnectionDeclaration } from '../../src/connections/connection-declaration.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Actor } from '../../src/runtime/actor.js';
import type { Services } from '../../src/services.js';
import { applyDeclarations } from '../../src/setup/apply-declarations.js';
import { emptyDeclarations } from '../../src/setup/config-file.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';
import { asOidc } from '../helpers/connection-types.js';

const box = createSecretBox('jwt-connections-test-secret-0123456789-abcdef');
const cli: Actor = { kind: 'cli', command: 'test' };

const portalSecret = 'portal-shared-secret-0123456789abcdefghijklmnop';
const rotatedSecret = 'a-rotated-portal-secret-9876543210-zyxwvutsrqpo';
const signInUrl = 'https://portal.partner.example/sso/gatehouse';
const jwksUri = 'https://keys.partner.example/.well-known/jwks.json';
const publicKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

/** Declarations as the file's schema makes them, defaults filled in. */
const jwt = (id: string, fields: Record<string, unknown> = {}): ConnectionDeclaration => connectionInputSchema.parse({
  id, name: `Portal ${id}`, type: 'jwt', sign_in_url: signInUrl, secret: portalSecret, ...fields,
});
const oidc = (id: string, fields: Record<string, unknown> = {}): ConnectionDeclaration => connectionInputSchema.parse({
  id, name: `Corp ${id}`, type: 'oidc', discovery_url: 'https://corp.okta.example/.well-known/openid-configuration',
  client_id: '0oa1client', client_secret: 'okta-client-secret-that-nobody-knows', ...fields,
});

function asJwt(connection: Connection | undefined): JwtConnection {
  assert.equal(connection?.type, 'jwt', 'a jwt connection');
  return connection as JwtConnection;
}

for (const dialect of dialects) {
  describe(`jwt connections in the database (${dialect})`, () => {
    let opened: Awaited<ReturnType<typeof openFreshServices>>;
    let services: Services;
    const clock = pinnedClock();

    const rowOf = (id: string) => opened.storage.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const domainRows = () => opened.storage.db.selectFrom('connection_email_domains').selectAll().orderBy('domain').execute();
    const applyFile = (connections: ConnectionDeclaration[]) => applyDeclarations(services, { ...emptyDeclarations, connections }, {
      source: 'gatehouse.yaml', validatorFor: async () => async () => {},
    });

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock });
      services = opened.services;
    });
    after(() => opened?.cleanup());

    test('a secret is sealed in secret_sealed for the jwt context only, and the settings column holds no secret', async () => {
      const { created, connection } = await services.connections.createConnection(cli, jwt('portal', { issuer: 'https://portal.partner.example', audience: 'gatehouse' }));
      assert.equal(created, true);
      const row = await rowOf('portal');
      assert.equal(row.type, 'jwt');
      assert.equal(row.name, 'Portal portal');
      assert.equal(row.enabled, 1);
      assert.equal(row.owner, 'database');
      assert.ok(row.secret_sealed, 'a sealed secret');
      assert.ok(!JSON.stringify(row).includes(portalSecret), 'the secret is nowhere in clear');
      assert.equal(box.open(row.secret_sealed, 'connection_jwt_secret:portal'), portalSecret);
      assert.throws(() => box.open(row.secret_sealed!, 'connection_client_secret:portal'), /cannot open/, 'not an upstream\'s client secret');
      assert.throws(() => box.open(row.secret_sealed!, 'connection_jwt_secret:other'), /cannot open/, 'not another partner\'s');
      assert.deepEqual(JSON.parse(row.settings), {
        sign_in_url: signInUrl, issuer: 'https://portal.partner.example', audience: 'gatehouse',
        require_jti: true, max_token_age_seconds: 300, clock_skew_seconds: 30, provisioning: 'create',
      });
      assert.deepEqual(await domainRows(), [], 'a partner claims no email domains');
      assert.deepEqual(await services.connections.find('portal'), connection);
    });

    test('find() reads a JwtConnection with the secret as its key and the effective algorithms', async () => {
      assert.deepEqual(asJwt(await services.connections.find('portal')), {
        id: 'portal', type: 'jwt', name: 'Portal portal', enabled: true, signInUrl,
        key: { secret: portalSecret }, algorithms: ['HS256'], issuer: 'https://portal.partner.example', audience: 'gatehouse',
        requireJti: true, maxTokenAgeSeconds: 300, clockSkewSeconds: 30, provisioning: 'create',
      });
      await services.connections.createConnection(cli, jwt('seed', {
        secret: 'y'.repeat(64), algorithms: ['HS512', 'HS256'], require_jti: false, max_token_age_seconds: 60, clock_skew_seconds: 0,
        provisioning: 'existing_users_only', enabled: false,
      }));
      assert.deepEqual(asJwt(await services.connections.find('seed')), {
        id: 'seed', type: 'jwt', name: 'Portal seed', enabled: false, signInUrl,
        key: { secret: 'y'.repeat(64) }, algorithms: ['HS512', 'HS256'], issuer: undefined, audience: undefined,
        requireJti: false, maxTokenAgeSeconds: 60, clockSkewSeconds: 0, provisioning: 'existing_users_only',
      });
      assert.deepEqual((await services.connections.listEnabled()).map((c) => c.id), ['portal'], 'a disabled partner has no button');
    });

    test('a public_key or jwks_uri connection stores no secret and reads back with that key', async () => {
      await services.connections.createConnection(cli, jwt('partner-ec', { secret: undefined, public_key: publicKeyPem }));
      const ecRow = await rowOf('partner-ec');
      assert.equal(ecRow.secret_sealed, null);
      assert.equal(JSON.parse(ecRow.settings).public_key, publicKeyPem);
      const ec = asJwt(await services.connections.find('partner-ec'));
      assert.deepEqual([ec.key, ec.algorithms], [{ publicKey: publicKeyPem }, ['ES256']]);

      await services.connections.createConnection(cli, jwt('partner-jwks', { secret: undefined, jwks_uri: jwksUri }));
      assert.equal((await rowOf('partner-jwks')).secret_sealed, null);
      const keySet = asJwt(await services.connections.find('partner-jwks'));
      assert.deepEqual([keySet.key, keySet.algorithms], [{ jwksUri }, ['RS256', 'PS256', 'ES256', 'EdDSA']]);
    });

    test('a URL the environment does not allow is refused naming the field, and nothing is stored', async () => {
      await assert.rejects(
        services.connections.createConnection(cli, jwt('intranet', { sign_in_url: 'http://portal.intranet.example/sso' })),
        /sign_in_url: must use https \(plain http only with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true, for a test setup\)/,
      );
      await assert.rejects(
        services.connections.createConnection(cli, jwt('intranet', { secret: undefined, jwks_uri: 'https://10.1.2.3/jwks' })),
        /jwks_uri: 10\.1\.2\.3 is a private address/,
      );
      assert.equal(await services.connections.find('intranet'), undefined);
    });

    test('a taken id is a conflict, whichever type holds it', async () => {
      await assert.rejects(services.connections.createConnection(cli, jwt('portal', { name: 'Again' })), /a connection "portal" exists already/);
      await services.connections.createConnection(cli, oidc('okta', { email_domains: ['corp.example'] }));
      await assert.rejects(services.connections.createConnection(cli, jwt('okta')), /a connection "okta" exists already/);
      assert.equal((await services.connections.find('okta'))?.type, 'oidc');
    });

    test('updating to what is stored writes nothing; a new secret is sealed anew, a rename keeps the sealed value', async () => {
      const declaration = jwt('portal', { issuer: 'https://portal.partner.example', audience: 'gatehouse' });
      const stored = await rowOf('portal');
      clock.advance(60);
      const same = await services.connections.updateConnection(cli, declaration);
      assert.equal(same.changed, false);
      assert.deepEqual(await rowOf('portal'), stored, 'not a byte written, updated_at included');
      assert.deepEqual(same.connection, await services.connections.find('portal'));

      const keyOnly = await services.connections.updateConnection(cli, jwt('partner-ec', { secret: undefined, public_key: publicKeyPem }));
      assert.equal(keyOnly.changed, false, 'a connection without a secret is unchanged too');

      const renamed = await services.connections.updateConnection(cli, { ...declaration, name: 'Partner Portal' });
      assert.equal(renamed.changed, true);
      const afterRename = await rowOf('portal');
      assert.equal(afterRename.secret_sealed, stored.secret_sealed, 'an unchanged secret is not sealed again');
      assert.equal(afterRename.updated_at, stored.updated_at + 60_000);

      clock.advance(60);
      const rotated = await services.connections.updateConnection(cli, { ...declaration, name: 'Partner Portal', secret: rotatedSecret } as ConnectionDeclaration);
      assert.equal(rotated.changed, true);
      const afterRotation = await rowOf('portal');
      assert.notEqual(afterRotation.secret_sealed, stored.secret_sealed);
      assert.equal(box.open(afterRotation.secret_sealed!, 'connection_jwt_secret:portal'), rotatedSecret);
      assert.ok(!afterRotation.settings.includes(rotatedSecret));
      assert.deepEqual(asJwt(await services.connections.find('portal')).key, { secret: rotatedSecret });
      assert.deepEqual(asJwt(rotated.connection).key, { secret: rotatedSecret });
      assert.equal(afterRotation.updated_at, afterRename.updated_at + 60_000);
    });

    test('moving between a secret and a public key drops or seals the secret', async () => {
      const toKey = await services.connections.updateConnection(cli, jwt('seed', { secret: undefined, public_key: publicKeyPem }));
      assert.equal(toKey.changed, true);
      assert.equal((await rowOf('seed')).secret_sealed, null);
      assert.deepEqual(asJwt(await services.connections.find('seed')).key, { publicKey: publicKeyPem });
      const back = await services.connections.updateConnection(cli, jwt('seed'));
      assert.equal(back.changed, true);
      assert.equal(box.open((await rowOf('seed')).secret_sealed!, 'connection_jwt_secret:seed'), portalSecret);
      assert.deepEqual(asJwt(await services.connections.find('seed')).key, { secret: portalSecret });
    });

    test('an oidc connection becomes a jwt one under the same id: re-sealed for its new use, its email domains released', async () => {
      assert.equal((await services.connections.findByEmailDomain('corp.example'))?.id, 'okta');
      // The same secret text on both sides: it must still be sealed again, for the jwt context.
      const sharedSecret = 'okta-client-secret-that-nobody-knows';
      const changed = await services.connections.updateConnection(cli, jwt('okta', { name: 'Okta, now a partner', secret: sharedSecret }));
      assert.equal(changed.changed, true);
      const row = await rowOf('okta');
      assert.equal(row.type, 'jwt');
      assert.equal(box.open(row.secret_sealed!, 'connection_jwt_secret:okta'), sharedSecret);
      assert.throws(() => box.open(row.secret_sealed!, 'connection_client_secret:okta'), /cannot open/);
      assert.equal(JSON.parse(row.settings).client_id, undefined, 'nothing of the oidc settings is left');
      const read = asJwt(await services.connections.find('okta'));
      assert.deepEqual([read.name, read.key, read.algorithms, read.signInUrl], ['Okta, now a partner', { secret: sharedSecret }, ['HS256'], signInUrl]);
      assert.deepEqual(changed.connection, read);
      assert.equal(await services.connections.findByEmailDomain('corp.example'), undefined, 'a partner keeps no email domains');
      assert.deepEqual(await domainRows(), []);

      const again = await services.connections.updateConnection(cli, jwt('okta', { name: 'Okta, now a partner', secret: sharedSecret }));
      assert.equal(again.changed, false);

      const backToOidc = await services.connections.updateConnection(cli, oidc('okta', { email_domains: ['corp.example'] }));
      assert.equal(backToOidc.changed, true);
      const oidcAgain = asOidc(await services.connections.find('okta'));
      assert.equal(oidcAgain.clientSecret, sharedSecret);
      assert.equal(box.open((await rowOf('okta')).secret_sealed!, 'connection_client_secret:okta'), sharedSecret);
      assert.equal((await services.connections.findByEmailDomain('corp.example'))?.id, 'okta');
    });

    test('list() returns both types, ordered by id', async () => {
      const listed = await services.connections.list();
      assert.deepEqual(listed.map((c) => [c.id, c.type]), [
        ['okta', 'oidc'], ['partner-ec', 'jwt'], ['partner-jwks', 'jwt'], ['portal', 'jwt'], ['seed', 'jwt'],
      ]);
      assert.deepEqual(asJwt(listed.find((c) => c.id === 'portal')).key, { secret: rotatedSecret });
    });

    test('releaseUnlistedDomains and domain claims pass jwt connections by', async () => {
      const before = await domainRows();
      assert.deepEqual(before.map((d) => [d.domain, d.connection_id]), [['corp.example', 'okta']]);
      await services.connections.releaseUnlistedDomains(cli, [jwt('portal'), jwt('partner-ec', { secret: undefined, public_key: publicKeyPem }), oidc('okta', { email_domains: ['corp.example'] })]);
      assert.deepEqual(await domainRows(), before, 'the oidc connection keeps its domain; the partners have none to release');
      await services.connections.releaseUnlistedDomains(cli, [jwt('not-stored-yet')]);
      assert.deepEqual(await domainRows(), before);
      // A partner claims nothing, so it never conflicts with an upstream's domains.
      await services.connections.createConnection(cli, jwt('partner-two'));
      assert.deepEqual(await domainRows(), before);
      assert.equal((await services.connections.findByEmailDomain('corp.example'))?.id, 'okta');
    });

    test('the file declares jwt and oidc connections side by side; applied again, it writes nothing', async () => {
      const file = [
        oidc('okta', { email_domains: ['corp.example'] }),
        jwt('filed', { secret: undefined, jwks_uri: jwksUri, algorithms: ['RS256'] }),
        jwt('filed-hmac', { require_jti: false }),
      ];
      const report = await applyFile(file);
      assert.equal(report.connections, 3);
      const filed = await rowOf('filed');
      const filedHmac = await rowOf('filed-hmac');
      assert.deepEqual([filed.owner, filed.secret_sealed, filedHmac.owner], ['config_file', null, 'config_file']);
      assert.equal(box.open(filedHmac.secret_sealed!, 'connection_jwt_secret:filed-hmac'), portalSecret);
      assert.deepEqual(asJwt(await services.connections.find('filed')).algorithms, ['RS256']);
      clock.advance(60);
      await applyFile(file);
      assert.deepEqual(await rowOf('filed'), filed, 'a restart changes nothing');
      assert.deepEqual(await rowOf('filed-hmac'), filedHmac, 'nor is the secret sealed again');
      assert.equal((await services.connections.findByEmailDomain('corp.example'))?.id, 'okta');
      await applyFile([]);
    });

    test('a jwt row edited by hand into something unreadable is named, and its declaration repairs it', async () => {
      await opened.storage.db.updateTable('connections').set({ settings: JSON.stringify({ sign_in_url: signInUrl, max_token_age_seconds: 7200 }) }).where('id', '=', 'partner-two').execute();
      await assert.rejects(services.connections.find('partner-two'), /connection "partner-two" is stored in a form Gatehouse cannot read \(max_token_age_seconds: /);
      const repaired = await services.connections.updateConnection(cli, jwt('partner-two'));
      assert.equal(repaired.changed, true);
      assert.equal(asJwt(await services.connections.find('partner-two')).maxTokenAgeSeconds, 300);
      await opened.storage.db.updateTable('connections').set({ secret_sealed: null }).where('id', '=', 'partner-two').execute();
      await assert.rejects(services.connections.find('partner-two'), /connection "partner-two" is stored in a form Gatehouse cannot read \(no secret, public_key or jwks_uri\)/);
      await services.connections.updateConnection(cli, jwt('partner-two'));
      assert.deepEqual(asJwt(await services.connections.find('partner-two')).key, { secret: portalSecret });
    });
  });
}
