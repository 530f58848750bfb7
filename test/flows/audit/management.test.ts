/*
 * Management changes in the audit log: each command records its change with its actor (the
 * configuration file, the CLI, Gatehouse itself) and the before and after of the fields that
 * changed, in the command's own transaction; never a password, hash or secret.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinnedClock, type TestClock } from '../../helpers/test-clock.js';
import { jwtConnection } from '../jwt-sso/fixtures.js';
import { auditEvents, eventsOf, oneEventOf, type StoredEvent } from './steps.js';

const webSecret = secretOf('web');

/** A small installation: an application, a user, a scope and a partner connection, as a file declares them. */
function declarations(changes: { aliceName?: string; aliceEmail?: string; alicePassword?: string; scopeDescription?: string; withApp?: boolean; portalSecret?: string; more?: object[] } = {}) {
  return {
    applications: changes.withApp === false ? [] : [{ client_id: 'web', client_name: 'Web Notes', client_secret: webSecret, redirect_uris: [redirectUri] }],
    users: [
      { username: 'alice', email: changes.aliceEmail ?? 'alice@example.com', name: changes.aliceName ?? 'Alice Liddell', password: changes.alicePassword ?? alice.password, groups: ['staff'] },
      ...(changes.more ?? []),
    ],
    scopes: [{ name: 'reports:read', description: changes.scopeDescription ?? 'Read reports', claims: ['department'] }],
    connections: [jwtConnection('portal', changes.portalSecret ? { secret: changes.portalSecret } : {})],
  };
}

const actorOf = (event: StoredEvent) => [event.actor_kind, event.actor_id];

const newAlicePassword = 'a brand new passphrase for alice';
const newPortalSecret = 'portal-rotated-secret-0123456789abcdefghijklmnop';
/** The file after an administrator's edit: alice renamed and given another address and password, the scope reworded, the application no longer declared, the partner's secret replaced. */
const changedFile = declarations({
  aliceName: 'Alice Pleasance Liddell', aliceEmail: 'alice@wonderland.example', alicePassword: newAlicePassword, scopeDescription: 'Read every report', withApp: false, portalSecret: newPortalSecret,
});

for (const dialect of dialects) {
  describe(`management changes in the audit log (${dialect})`, () => {
    let server: TestServer;
    let clock: TestClock;
    let aliceId: string;

    before(async () => {
      clock = pinnedClock();
      server = await startServer({ declarations: declarations(), dialect, clock });
      aliceId = (await server.services.users.findByUsername('alice'))!.id;
    });
    after(() => server?.close());

    test('the first start: each declared record created by the configuration file, the keys and the first administrator by Gatehouse', async () => {
      const events = await auditEvents(server);
      const file = server.config.configFile!;
      const byType = (type: string) => events.filter((event) => event.type === type);

      const user = byType('user.created').find((event) => event.user_id === aliceId)!;
      assert.deepEqual(actorOf(user), ['config_file', file]);
      assert.deepEqual(user.details.after, {
        username: 'alice', email: 'alice@example.com', name: 'Alice Liddell', groups: ['staff'], attributes: {}, disabled: false, has_password: true, owner: 'config_file',
      });

      const application = byType('application.created')[0]!;
      assert.deepEqual([application.client_id, ...actorOf(application)], ['web', 'config_file', file]);
      assert.equal((application.details.after as Record<string, unknown>).has_client_secret, true);
      assert.equal((application.details.after as Record<string, unknown>).client_name, 'Web Notes');

      const scope = byType('scope.created')[0]!;
      assert.deepEqual([scope.details.name, (scope.details.after as Record<string, unknown>).description], ['reports:read', 'Read reports']);
      const connection = byType('connection.created')[0]!;
      assert.deepEqual([connection.connection_id, (connection.details.after as Record<string, unknown>).has_secret], ['portal', true]);

      const admin = byType('user.created').find((event) => event.actor_id === 'first administrator')!;
      assert.deepEqual([admin.actor_kind, (admin.details.after as Record<string, unknown>).username], ['system', 'admin']);
      const keys = byType('key.created');
      assert.deepEqual(keys.map((event) => event.details.purpose).sort(), ['cookie', 'signing:ES256', 'signing:EdDSA', 'signing:RS256']);
      assert.ok(keys.every((event) => event.actor_kind === 'system' && event.actor_id === 'keys generated at start'));
    });

    test('a start with the same file records nothing: applying it again is no change', async () => {
      const added = await eventsOf(server, () => server.restart());
      assert.deepEqual(added.map((event) => event.type), []);
    });

    test('a start with a changed file: the before and after of exactly the fields that changed, and that a password or secret changed, never what it is', async () => {
      const added = await eventsOf(server, () => server.restart({ declarations: changedFile }));
      const updated = added.find((event) => event.type === 'user.updated' && event.user_id === aliceId)!;
      assert.deepEqual(actorOf(updated), ['config_file', server.config.configFile]);
      assert.deepEqual(updated.details, {
        before: { email: 'alice@example.com', name: 'Alice Liddell' },
        after: { email: 'alice@wonderland.example', name: 'Alice Pleasance Liddell' },
        password_changed: true,
      });
      const scope = added.find((event) => event.type === 'scope.updated')!;
      assert.deepEqual([scope.details.before, scope.details.after], [{ description: 'Read reports' }, { description: 'Read every report' }]);
      // The file no longer declares the application: it is the database's now, editable through the API.
      const released = added.find((event) => event.type === 'application.updated')!;
      assert.deepEqual(
        { client: released.client_id, before: released.details.before, after: released.details.after, released: released.details.released_by_file },
        { client: 'web', before: { owner: 'config_file' }, after: { owner: 'database' }, released: true },
      );
      const connection = added.find((event) => event.type === 'connection.updated')!;
      assert.deepEqual([connection.connection_id, connection.details], ['portal', { secret_changed: true }]);
      assert.ok(!JSON.stringify(added).includes(newPortalSecret) && !JSON.stringify(added).includes(newAlicePassword));
    });

    test('a file that fails half-way through changes nothing, and records nothing', async () => {
      const broken = { ...declarations({ aliceName: 'Alice Who Was Never Renamed', scopeDescription: 'Never stored', withApp: false, more: [{ username: 'eve', password: 'short' }] }), connections: changedFile.connections };
      const before = (await auditEvents(server)).length;
      await assert.rejects(server.restart({ declarations: broken }), /password/);
      await server.restart({ declarations: changedFile });
      const events = await auditEvents(server);
      assert.equal(events.length, before, 'no event of the failed start, and none of the start that applied what was stored');
      assert.ok(!JSON.stringify(events).includes('Never stored'));
    });

    test('the CLI: each command its own actor; disabling and enabling a user with the fields that changed', async () => {
      const created = await oneEventOf(server, 'user.created', async () => assert.equal((await gatehouse(server, ['users', 'create', 'bob', '--email', 'bob@example.com', '--name', 'Bob'])).code, 0));
      assert.deepEqual(actorOf(created), ['cli', 'users create']);
      const bobId = created.user_id!;

      const disabled = await oneEventOf(server, 'user.disabled', async () => assert.equal((await gatehouse(server, ['users', 'disable', 'bob'])).code, 0));
      assert.deepEqual(
        { actor: actorOf(disabled), user: disabled.user_id, details: disabled.details },
        { actor: ['cli', 'users disable'], user: bobId, details: { before: { disabled: false }, after: { disabled: true }, sessions_ended: true } },
      );
      const enabled = await oneEventOf(server, 'user.enabled', async () => assert.equal((await gatehouse(server, ['users', 'enable', 'bob'])).code, 0));
      assert.deepEqual(enabled.details, { before: { disabled: true }, after: { disabled: false } });
    });

    test('setting a password records the fact, never the password', async () => {
      const password = 'bob picks a long passphrase';
      const event = await oneEventOf(server, 'user.password_set', async () => assert.equal((await gatehouse(server, ['users', 'set-password', 'bob'], password)).code, 0));
      assert.deepEqual([event.actor_id, event.details], ['users set-password', {}]);
    });

    test('an application created and its secret rotated by the CLI; neither secret is recorded', async () => {
      const added = await eventsOf(server, async () => {
        assert.equal((await gatehouse(server, ['apps', 'create', 'notes', '--redirect-uri', redirectUri])).code, 0);
        assert.equal((await gatehouse(server, ['apps', 'rotate-secret', 'notes'])).code, 0);
      });
      assert.deepEqual(added.map((event) => [event.type, event.client_id, event.actor_id]), [
        ['application.created', 'notes', 'apps create'],
        ['application.secret_rotated', 'notes', 'apps rotate-secret'],
      ]);
      assert.deepEqual(added[1]!.details, {});
    });

    test('scopes, unlocking a user and unblocking an address', async () => {
      const added = await eventsOf(server, async () => {
        assert.equal((await gatehouse(server, ['scopes', 'create', 'audit:read', 'Read the audit log', 'department'])).code, 0);
        assert.equal((await gatehouse(server, ['scopes', 'delete', 'audit:read'])).code, 0);
        const failed = await server.services.protection.accounts.admit(`account:user:${aliceId}`);
        if (failed.admitted) await failed.attempt.fail();
        assert.equal((await gatehouse(server, ['users', 'unlock', 'alice'])).code, 0);
        const counted = await server.services.protection.ips.admit('203.0.113.77', 'account:name:someone');
        if (counted.admitted) await counted.attempt.fail();
        assert.equal((await gatehouse(server, ['ips', 'unblock', '203.0.113.77'])).code, 0);
      });
      assert.deepEqual(added.map((event) => [event.type, event.actor_id]), [
        ['scope.created', 'scopes create'], ['scope.deleted', 'scopes delete'], ['user.unlocked', 'users unlock'], ['address.unblocked', 'ips unblock'],
      ]);
      assert.deepEqual(added[1]!.details, { before: { description: 'Read the audit log', claims: ['department'], owner: 'database' }, name: 'audit:read' });
      assert.equal(added[2]!.user_id, aliceId);
      assert.deepEqual([added[3]!.client_address, added[3]!.details.identities], ['203.0.113.77', 1]);
    });

    test('key rotation: the rotation started by the CLI, its steps applied by the schedule when due', async () => {
      const started = await oneEventOf(server, 'key.rotation_started', async () => assert.equal((await gatehouse(server, ['keys', 'rotate'])).code, 0));
      assert.deepEqual(actorOf(started), ['cli', 'keys rotate']);
      const keys = started.details.keys as Array<Record<string, unknown>>;
      assert.deepEqual(keys.map((key) => key.status), ['next', 'next', 'next', 'next']);
      assert.deepEqual(Object.keys(keys[0]!).sort(), ['kid', 'purpose', 'status']);

      clock.advance(25 * 60 * 60);
      const schedule = { kind: 'system' as const, reason: 'key rotation schedule' };
      const steps = await eventsOf(server, () => server.services.keys.advanceRotations(schedule));
      assert.deepEqual(steps.map((event) => event.type).sort(), [...Array(4).fill('key.activated'), ...Array(4).fill('key.retired')].sort());
      const activated = steps.find((event) => event.type === 'key.activated')!;
      assert.deepEqual([activated.actor_id, activated.details.before, activated.details.after], ['key rotation schedule', { status: 'next' }, { status: 'active' }]);
      assert.ok(keys.some((key) => key.kid === activated.details.kid));
    });

    test('users imported by the CLI: one user.created each, marked imported, in the import\'s transactions', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-audit-import-'));
      try {
        const csv = path.join(dir, 'users.csv');
        await writeFile(csv, 'username,email\numa,uma@example.com\nvic,vic@example.com\n');
        const added = await eventsOf(server, async () => assert.equal((await gatehouse(server, ['users', 'import', csv])).code, 0));
        const described = added.map((event) => [event.type, event.actor_id, event.details.imported, (event.details.after as Record<string, unknown>).username]);
        assert.deepEqual(described.sort((a, b) => String(a[3]).localeCompare(String(b[3]))), [
          ['user.created', 'users import', true, 'uma'], ['user.created', 'users import', true, 'vic'],
        ]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
