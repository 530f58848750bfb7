/*
 * Every installation has an administrator, a member of gatehouse-admins (issue 17, point 2):
 * `admin` is created whenever there is none, also when the configuration file declares other
 * users; the `admin` of an earlier version joins the group; a user the file calls `admin` is
 * never promoted behind the operator's back.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { defaults } from '../../../src/config/defaults.js';
import { startupBanner } from '../../../src/startup-banner.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const group = defaults.administratorsGroup;
const carol = { username: 'carol', email: 'carol@example.com', password: 'carol paints blue doors' };

for (const dialect of dialects) {
  describe(`the installation's administrator (${dialect})`, () => {
    const servers: TestServer[] = [];
    after(async () => {
      for (const server of servers) await server.close();
    });
    const start = async (declarations: Record<string, unknown>) => {
      const server = await startServer({ dialect, declarations });
      servers.push(server);
      return server;
    };

    test('a configuration file that declares only other users still gets admin, in gatehouse-admins', async () => {
      const server = await start({ users: [carol] });
      assert.equal(server.startup.admin?.kind, 'created');
      const admin = await server.services.users.findByUsername('admin');
      assert.deepEqual(admin?.groups, [group]);
      assert.deepEqual((await server.services.users.inGroup(group)).map((user) => user.username), ['admin']);
      await server.restart();
      assert.equal(server.startup.admin, undefined, 'created once');
    });

    test('a file that declares an administrator of its own gets no admin', async () => {
      const server = await start({ users: [{ ...carol, groups: [group] }] });
      assert.equal(server.startup.admin, undefined);
      assert.equal(await server.services.users.findByUsername('admin'), undefined);
    });

    test('the admin an earlier version made at its first start (group "admin") joins gatehouse-admins at the next start', async () => {
      // An earlier version made admin only on an empty database, in the group admin.
      const server = await start({});
      const admin = (await server.services.users.findByUsername('admin'))!;
      await server.services.users.updateUser({ kind: 'cli', command: 'test' }, admin.id, { groups: ['admin'] });
      await server.restart();
      assert.deepEqual(server.startup.admin, { kind: 'upgraded', username: 'admin' });
      assert.deepEqual((await server.services.users.findByUsername('admin'))?.groups, ['admin', group]);
    });

    test('an admin that came later (an import, a connection, a command) is never promoted, even in a group called admin', async () => {
      const server = await start({ users: [{ ...carol, groups: [group] }] });
      await server.services.users.createUser({ kind: 'cli', command: 'test' }, { username: 'admin', groups: ['admin'], credential: { password: 'an admin that came later' } });
      await server.restart({ declarations: { users: [carol] } });
      assert.deepEqual(server.startup.admin, { kind: 'missing', username: 'admin' });
      assert.deepEqual((await server.services.users.findByUsername('admin'))?.groups, ['admin']);
    });

    test('a user the file calls admin is not promoted: the start names the problem instead', async () => {
      const server = await start({ users: [{ ...carol, username: 'admin', email: 'admin@example.com' }] });
      assert.deepEqual(server.startup.admin, { kind: 'missing', username: 'admin' });
      assert.deepEqual((await server.services.users.findByUsername('admin'))?.groups, [], 'the file\'s admin is not promoted');
      assert.match(startupBanner(server.config, server.startup), /WARNING: nobody administers this installation/);
    });
  });
}
