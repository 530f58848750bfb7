import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { generateKeyPair, exportJWK, calculateJwkThumbprint } from 'jose';
import { Migrator, type Kysely, type Migration } from 'kysely';
import { applicationInputSchema } from '../../src/applications/application-schema.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import * as init from '../../src/db/migrations/2026-11-26-0001-init.js';
import * as passwordHashImport from '../../src/db/migrations/2026-11-27-0001-password-hash-import.js';
import * as oidcModelsAccountId from '../../src/db/migrations/2026-11-27-0002-oidc-models-account-id.js';
import { createOidcModelQueries } from '../../src/db/queries/oidc-models.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices, type Services } from '../../src/services.js';
import { applyDeclarations } from '../../src/setup/apply-declarations.js';
import { emptyDeclarations } from '../../src/setup/config-file.js';
import { ensureAdministrator } from '../../src/setup/ensure-admin.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices, openFreshStorage } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('commands-test-secret-0123456789-abcdef');
const file: Actor = { kind: 'config_file', file: 'gatehouse.yaml' };
const cli: Actor = { kind: 'cli', command: 'test' };
const api: Actor = { kind: 'api', subject: 'console' };
const password = 'a perfectly fine passphrase';

function sessionRow(accountId: string, id: string) {
  return { model: 'Session', id, payload: '{}', grant_id: null, user_code: null, uid: null, account_id: accountId, expires_at: null, consumed_at: null };
}

for (const dialect of dialects) {
  describe(`service commands (${dialect})`, () => {
    let opened: Awaited<ReturnType<typeof openFreshServices>>;
    let services: Services;
    const clock = pinnedClock();

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock });
      services = opened.services;
    });
    after(() => opened?.cleanup());

    test('a taken user name or email is a conflict, and nothing is written', async () => {
      await services.users.createUser(cli, { username: 'Alice', email: 'alice@example.com', credential: { password } });
      const count = await services.users.count();
      await assert.rejects(services.users.createUser(cli, { username: 'ALICE' }), /user name "Alice" is taken/);
      await assert.rejects(services.users.createUser(cli, { username: 'alice2', email: 'Alice@Example.com' }), /email alice@example.com already belongs to user "Alice"/);
      assert.equal(await services.users.count(), count);
      const kept = await services.users.createUser(cli, { username: 'alice' }, { existing: 'keep' });
      assert.equal(kept.created, false);
      assert.equal(kept.user.email, 'alice@example.com');
    });

    test('two users created at once with one email: one is created, the other is a conflict', async () => {
      for (let round = 0; round < 5; round += 1) {
        const email = `race-${round}@example.com`;
        const outcomes: Array<PromiseSettledResult<unknown>> = await Promise.allSettled([0, 1].map((i) => services.users.createUser(cli, { username: `racer-${round}-${i}`, email })));
        assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, `round ${round}`);
        const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
        assert.match(String(refused.reason), /email race-\d@example\.com already belongs to/);
      }
    });

    test('disabling a user ends its sessions; a refused change leaves user and sessions as they were', async () => {
      const { user } = await services.users.createUser(cli, { username: 'bob', email: 'bob@example.com' });
      const models = createOidcModelQueries(opened.storage.db);
      await models.upsert(sessionRow(user.id, `session-${user.id}`));
      await assert.rejects(services.users.updateUser(cli, user.id, { disabled: true, email: 'alice@example.com' }), /already belongs/);
      assert.equal((await services.users.findById(user.id))?.disabled, false);
      assert.ok(await models.findBy('Session', 'id', `session-${user.id}`, 0), 'the session survives a refused change');
      await services.users.disableUser(cli, user.id);
      assert.equal((await services.users.findById(user.id))?.disabled, true);
      assert.equal(await models.findBy('Session', 'id', `session-${user.id}`, 0), undefined);
      assert.equal((await services.users.enableUser(cli, user.id)).disabled, false);
    });

    test('what the configuration file declares is refused to API callers, not to the operator, and named in the message', async () => {
      const { user } = await services.users.createUser(file, { username: 'carol', credential: { password } });
      await assert.rejects(services.users.updateUser(api, user.id, { groups: ['admins'] }), /user "carol" is declared in the configuration file; change it there/);
      await assert.rejects(services.users.deleteUser(api, user.id), /declared in the configuration file/);
      await assert.rejects(services.users.setPassword(api, user.id, 'another fine passphrase'), /declared in the configuration file/);
      assert.deepEqual((await services.users.findById(user.id))?.groups, []);
      await services.users.setPassword(cli, user.id, 'another fine passphrase');
      const { user: dave } = await services.users.createUser(api, { username: 'dave' });
      assert.equal((await services.users.updateUser(api, dave.id, { groups: ['staff'] })).groups[0], 'staff');
    });

    test('setting what is stored already writes nothing: updated_at, a claim, stays', async () => {
      const fields = { username: 'frank', email: 'frank@example.com', profile: { name: 'Frank' }, groups: ['staff'], attributes: { desk: '4' }, disabled: false };
      const { user } = await services.users.createUser(file, { ...fields, credential: { password } });
      clock.advance(60);
      const again = await services.users.updateUser(file, user.id, { ...fields, credential: { password } });
      assert.equal(again.updatedAt, user.updatedAt);
      const changed = await services.users.updateUser(file, user.id, { ...fields, groups: ['staff', 'admins'] });
      assert.ok(changed.updatedAt > user.updatedAt);
      const declaration = applicationInputSchema.parse({ client_id: 'steady', client_secret: 'steady-secret-0123456789-0123456789-01', grant_types: ['client_credentials'] });
      await services.applications.createApplication(file, declaration, async () => {});
      const stored = await services.applications.find('steady');
      clock.advance(60);
      await services.applications.updateApplication(file, declaration, async () => {});
      assert.deepEqual(await services.applications.find('steady'), stored);
      await services.applications.updateApplication(file, { ...declaration, client_name: 'Steady' }, async () => {});
      assert.ok((await services.applications.find('steady'))!.updated_at > stored!.updated_at);
    });

    test('a password the file names in clear is checked against the policy unless Gatehouse set it: an imported hash\'s password never met it', async () => {
      const weak = 'password';
      const { user } = await services.users.createUser(file, { username: 'gina', credential: { importedHash: bcrypt.hashSync(weak, 4) } });
      await assert.rejects(
        services.users.updateUser(file, user.id, { username: 'gina', credential: { password: weak } }),
        /at least 12 characters/,
        'the same password, imported as a hash, named in clear',
      );
      clock.advance(60);
      const again = await services.users.updateUser(file, user.id, { username: 'gina', credential: { password } });
      const unchanged = await services.users.updateUser(file, user.id, { username: 'gina', credential: { password } });
      assert.equal(unchanged.updatedAt, again.updatedAt, 'one Gatehouse set is not set again');
    });

    test('an instance that looked for the administrator just before another created it reports nothing', async () => {
      const created = await ensureAdministrator(services.users, undefined);
      assert.equal(created?.kind, 'created');
      // The other instance's first read came before that commit: it saw no administrator, then finds `admin`.
      const lookedEarlier = { ...services.users, inGroup: async () => [] };
      assert.equal(await ensureAdministrator(lookedEarlier, undefined), undefined, 'not reported missing: it is the administrator just created');
    });

    test('a record the file stops declaring becomes the database\'s: the API may change it', async () => {
      const apply = (users: Array<{ username: string }>) => applyDeclarations(services, {
        ...emptyDeclarations,
        users: users.map((user) => ({ ...user, groups: [], attributes: {}, disabled: false })),
      }, { source: 'gatehouse.yaml', validatorFor: async () => async () => {} });
      await apply([{ username: 'Grace' }, { username: 'heidi' }]);
      const grace = (await services.users.findByUsername('grace'))!;
      const heidi = (await services.users.findByUsername('heidi'))!;
      await assert.rejects(services.users.updateUser(api, grace.id, { groups: ['staff'] }), /declared in the configuration file/);
      await apply([{ username: 'heidi' }]);
      assert.deepEqual((await services.users.updateUser(api, grace.id, { groups: ['staff'] })).groups, ['staff']);
      await assert.rejects(services.users.updateUser(api, heidi.id, { groups: ['staff'] }), /declared in the configuration file/);
    });

    test('deleting a user removes its sessions', async () => {
      const { user } = await services.users.createUser(cli, { username: 'erin' });
      const models = createOidcModelQueries(opened.storage.db);
      await models.upsert(sessionRow(user.id, `session-${user.id}`));
      await services.users.deleteUser(cli, user.id);
      assert.equal(await services.users.findById(user.id), undefined);
      assert.equal(await models.findBy('Session', 'id', `session-${user.id}`, 0), undefined);
      await assert.rejects(services.users.deleteUser(cli, user.id), /no user with that id/);
    });

    test('a changed scope moves the engine version, a refused one does not', async () => {
      const before = await services.engineSource.version();
      await services.scopes.createScope(cli, { name: 'badge', description: 'Your badge', claims: ['badge_colour'] });
      const after = await services.engineSource.version();
      assert.ok(after > before);
      await assert.rejects(services.scopes.createScope(cli, { name: 'badge', description: 'Again', claims: ['x'] }), /exists already/);
      assert.equal(await services.engineSource.version(), after);
      await assert.rejects(services.scopes.updateScope(cli, { name: 'nothing', description: 'No', claims: ['x'] }), /no scope "nothing"/);
      assert.equal(await services.engineSource.version(), after);
      assert.deepEqual((await services.scopes.updateScope(cli, { name: 'badge', description: 'Your badge', claims: ['badge_colour', 'badge_number'] })).claims, ['badge_colour', 'badge_number']);
      assert.ok((await services.engineSource.version()) > after);
      assert.deepEqual((await services.engineSource.load()).customScopes.map((scope) => [scope.name, scope.claims]), [['badge', ['badge_colour', 'badge_number']]]);
      const declared = { name: 'desk', description: 'Your desk', claims: ['desk'] };
      await services.scopes.createScope(file, declared, { existing: 'update' });
      const declaredAt = await services.engineSource.version();
      await services.scopes.createScope(file, declared, { existing: 'update' });
      assert.equal(await services.engineSource.version(), declaredAt, 'applying the same declaration again changes nothing');
      await services.scopes.createScope(file, { ...declared, claims: ['desk', 'floor'] }, { existing: 'update' });
      assert.ok((await services.engineSource.version()) > declaredAt, 'a changed declaration is a change');
    });

    test('a scope an application names cannot be deleted, and the message names the application', async () => {
      await services.scopes.createScope(cli, { name: 'wing', description: 'Your wing', claims: ['wing'] });
      await services.scopes.createScope(cli, { name: 'room', description: 'Your room', claims: ['room'] });
      await services.applications.createApplication(cli, applicationInputSchema.parse({
        client_id: 'maps', client_secret: 'maps-secret-0123456789-0123456789-0123', redirect_uris: ['https://maps.example.test/cb'], scope: 'openid wing room',
      }), async () => {});
      await services.applications.createApplication(cli, applicationInputSchema.parse({
        client_id: 'doors', client_secret: 'doors-secret-0123456789-0123456789-012', redirect_uris: ['https://doors.example.test/cb'], id_token_claims_scopes: ['room'],
      }), async () => {});
      await assert.rejects(services.scopes.deleteScope(cli, 'wing'), /scope "wing" is named by application "maps"/);
      await assert.rejects(services.scopes.deleteScope(cli, 'room'), /scope "room" is named by applications "doors", "maps"/);
      assert.deepEqual((await services.scopes.list()).filter((scope) => ['wing', 'room'].includes(scope.name)).length, 2);
      await services.applications.deleteApplication(cli, 'maps');
      await services.scopes.deleteScope(cli, 'wing');
      assert.equal((await services.scopes.list()).some((scope) => scope.name === 'wing'), false);
    });

    test('rotating a client secret replaces it; deleting the application removes it', async () => {
      const declaration = applicationInputSchema.parse({ client_id: 'reports', grant_types: ['client_credentials'] });
      const created = await services.applications.createApplication(file, declaration, async () => {});
      assert.ok(created.generatedSecret);
      await assert.rejects(services.applications.rotateClientSecret(api, 'reports'), /application "reports" is declared/);
      const rotated = await services.applications.rotateClientSecret(cli, 'reports');
      assert.notEqual(rotated, created.generatedSecret);
      assert.equal((await services.applications.findClientMetadata('reports'))?.client_secret, rotated);
      await services.applications.deleteApplication(cli, 'reports');
      assert.equal(await services.applications.findClientMetadata('reports'), undefined);
    });

    test('keys: one active key per purpose, generated once, active ones first', async () => {
      assert.equal(await services.keys.ensure(), true);
      const version = await services.engineSource.version();
      assert.equal(await services.keys.ensure(), false, 'nothing to generate the second time');
      assert.equal(await services.engineSource.version(), version);
      const keys = await services.keys.engineKeys();
      assert.deepEqual(keys.signingKeys.map((key) => key.alg), ['RS256', 'ES256', 'EdDSA']);
      assert.equal(keys.cookieKeys.length, 1);
    });

    test('a sealed key copied onto another key\'s row does not open', async () => {
      const db = opened.storage.db;
      const rows = await db.selectFrom('keys').selectAll().orderBy('purpose').execute();
      const [from, to] = [rows.find((row) => row.purpose === 'signing:ES256')!, rows.find((row) => row.purpose === 'signing:RS256')!];
      await db.updateTable('keys').set({ private_sealed: from.private_sealed, sealed_as: from.sealed_as }).where('kid', '=', to.kid).execute();
      try {
        await assert.rejects(services.keys.engineKeys(), /claims to be sealed for another key/);
        await db.updateTable('keys').set({ private_sealed: from.private_sealed, sealed_as: `signing:RS256:${to.kid}` }).where('kid', '=', to.kid).execute();
        await assert.rejects(services.keys.engineKeys(), /the master secret cannot open/);
      } finally {
        await db.updateTable('keys').set({ private_sealed: to.private_sealed, sealed_as: to.sealed_as }).where('kid', '=', to.kid).execute();
      }
      assert.equal((await services.keys.engineKeys()).signingKeys.length, 3);
    });
  });

  describe(`keys stored in fixed slots before keys had a status (${dialect})`, () => {
    test('are kept, by kid, active, and still open with the master secret', async () => {
      const opened = await openFreshStorage(dialect);
      try {
        const db = opened.storage.db as unknown as Kysely<any>;
        const migrations: Record<string, Migration> = {
          '2026-11-26-0001-init': init,
          '2026-11-27-0001-password-hash-import': passwordHashImport,
          '2026-11-27-0002-oidc-models-account-id': oidcModelsAccountId,
        };
        const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
        assert.equal(error, undefined);
        const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
        const publicJwk = await exportJWK(publicKey);
        const kid = await calculateJwkThumbprint(publicJwk);
        const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
        await db.insertInto('keys').values([
          { slot: 'signing:ES256', kid, use: 'sig', alg: 'ES256', public_jwk: JSON.stringify(publicJwk), private_sealed: box.seal(JSON.stringify(privateJwk), 'signing:ES256'), created_at: 1 },
          { slot: 'cookie:1', kid: 'cookie-old', use: 'cookie', alg: null, public_jwk: null, private_sealed: box.seal('the old cookie key', 'cookie:1'), created_at: 1 },
        ]).execute();
        await migrateToLatest(opened.storage.db);
        const services = createServices({ db: opened.storage.db, box, clock: pinnedClock(), ids: randomIds, security: defaultSecuritySettings });
        await services.keys.ensure();
        const keys = await services.keys.engineKeys();
        assert.ok(keys.signingKeys.some((key) => key.kid === kid && key.d === privateJwk.d), 'the ES256 key is kept');
        assert.deepEqual(keys.cookieKeys, ['the old cookie key'], 'the cookie key is kept, and no second one is made');
        assert.deepEqual(keys.signingKeys.map((key) => key.alg), ['RS256', 'ES256', 'EdDSA'], 'only the missing algorithms were generated');
      } finally {
        await opened.cleanup();
      }
    });
  });
}
