/*
 * Groups through the management API, over HTTP on the real server: groups are names users carry,
 * so the listing counts them over every user, and adding or removing a member changes that user
 * (which the groups claim of their next token shows); a user the configuration file declares is
 * refused, as is a name the file could not hold.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { allPages, apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { bob, carol, dave, type Credentials } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { claimsOf, passwordApp } from './password-grant.js';

const operator = { kind: 'cli', command: 'users create' } as const;
/** Declared in the configuration file: the API may not change his groups. */
const declaredDave = { ...dave, groups: ['staff', 'ops'] };

for (const dialect of dialects) {
  describe(`groups through the management API (${dialect})`, () => {
    let server: TestServer;
    let api: ApiClient;
    const ids: Record<string, string> = {};

    async function create(who: Credentials | { username: string }, groups: string[]) {
      const credential = 'password' in who ? { credential: { password: who.password } } : {};
      const { user } = await server.services.users.createUser(operator, { username: who.username, email: `${who.username}@example.com`, groups, ...credential });
      ids[who.username] = user.id;
    }
    const groupsOf = async (username: string) => (await server.services.users.findById(ids[username]!))!.groups;

    before(async () => {
      server = await startServer({ dialect, declarations: { applications: [automation, passwordApp], users: [declaredDave] } });
      api = apiClient(server, await machineToken(server));
      ids.dave = (await server.services.users.findByUsername('dave'))!.id;
      await create(bob, ['staff']);
      await create(carol, ['staff', 'engineering']);
      await create({ username: 'erin' }, []);
    });
    after(() => server?.close());

    test('GET /groups: every group users carry with its member count, in name order, the administrators\' group included', async () => {
      const { status, body } = await api.get('/groups');
      assert.equal(status, 200);
      // The administrator Gatehouse created at its first start is the one member of gatehouse-admins.
      assert.deepEqual(body, { items: [
        { name: 'engineering', members: 1 }, { name: 'gatehouse-admins', members: 1 }, { name: 'ops', members: 1 }, { name: 'staff', members: 3 },
      ] });
    });

    test('PUT adds a member, which the groups claim of the user\'s next token carries; adding again changes nothing', async () => {
      assert.deepEqual((await claimsOf(server, bob, 'openid groups')).groups, ['staff']);
      const added = await api.put(`/groups/engineering/members/${ids.bob}`, {});
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.deepEqual(added.body, { id: ids.bob, username: 'bob', email: 'bob@example.com', disabled: false, declared: false });
      assert.deepEqual(await groupsOf('bob'), ['staff', 'engineering']);
      assert.deepEqual((await claimsOf(server, bob, 'openid groups')).groups, ['staff', 'engineering']);

      const before = (await server.services.users.findById(ids.bob!))!.updatedAt;
      assert.equal((await api.put(`/groups/engineering/members/${ids.bob}`, {})).status, 200);
      assert.equal((await server.services.users.findById(ids.bob!))!.updatedAt, before, 'a member already: nothing written');
      assert.deepEqual(await groupsOf('bob'), ['staff', 'engineering']);
    });

    test('a group comes into being with its first member, whatever characters the configuration file allows in its name', async () => {
      const name = 'Équipe Nord / 2';
      assert.deepEqual((await api.get(`/groups/${encodeURIComponent(name)}/members`)).body, { items: [], next_cursor: null });
      assert.equal((await api.put(`/groups/${encodeURIComponent(name)}/members/${ids.erin}`, {})).status, 200);
      assert.deepEqual(await groupsOf('erin'), [name]);
      const listed = (await api.get('/groups')).body.items as Array<{ name: string; members: number }>;
      assert.deepEqual(listed.find((group) => group.name === name), { name, members: 1 });
    });

    test('members added and removed at the same moment are all applied: none undoes another', async () => {
      const names = ['north', 'south', 'east', 'west', 'up', 'down'];
      const answers = await Promise.all(names.map((name) => api.put(`/groups/${name}/members/${ids.erin}`, {})));
      assert.deepEqual(answers.map((answer) => answer.status), names.map(() => 200));
      assert.deepEqual([...(await groupsOf('erin'))].sort(), ['Équipe Nord / 2', ...names].sort());
      const removals = await Promise.all(names.map((name) => api.delete(`/groups/${name}/members/${ids.erin}`)));
      assert.deepEqual(removals.map((answer) => answer.status), names.map(() => 204));
      assert.deepEqual(await groupsOf('erin'), ['Équipe Nord / 2']);
    });

    test('GET /groups/{name}/members: paged user summaries in user name order, disabled members included', async () => {
      await server.services.users.disableUser(operator, ids.carol!);
      const { items, pages } = await allPages(api, '/groups/staff/members', 2);
      assert.equal(pages, 2);
      assert.deepEqual(items, [
        { id: ids.bob, username: 'bob', email: 'bob@example.com', disabled: false, declared: false },
        { id: ids.carol, username: 'carol', email: 'carol@example.com', disabled: true, declared: false },
        { id: ids.dave, username: 'dave', email: null, disabled: false, declared: true },
      ]);
      for (const item of items) assert.deepEqual(Object.keys(item).sort(), ['declared', 'disabled', 'email', 'id', 'username'], 'a summary, nothing of a password');
      const foreign = await api.get('/groups/staff/members?cursor=not-a-cursor');
      assert.equal(foreign.status, 400);
      assert.deepEqual(foreign.body.details.map((detail: { path: string }) => detail.path), ['querystring.cursor']);
    });

    test('DELETE removes a member; a user not in the group is not found there', async () => {
      const removed = await api.delete(`/groups/engineering/members/${ids.carol}`);
      assert.equal(removed.status, 204);
      assert.deepEqual(await groupsOf('carol'), ['staff']);
      assert.deepEqual((await api.get('/groups/engineering/members')).body.items.map((user: { username: string }) => user.username), ['bob']);
      const again = await api.delete(`/groups/engineering/members/${ids.carol}`);
      assert.equal(again.status, 404);
      assert.equal(again.body.code, 'not_found');
    });

    test('a user the configuration file declares is refused, in and out of a group, and keeps their groups', async () => {
      for (const answer of [await api.put(`/groups/engineering/members/${ids.dave}`, {}), await api.put(`/groups/staff/members/${ids.dave}`, {}), await api.delete(`/groups/ops/members/${ids.dave}`)]) {
        assert.equal(answer.status, 409);
        assert.equal(answer.body.code, 'declared_in_config_file');
      }
      assert.deepEqual(await groupsOf('dave'), ['staff', 'ops']);
    });

    test('an unknown user is not found; an empty group name, which the configuration file refuses, is the caller\'s mistake', async () => {
      for (const answer of [await api.put('/groups/staff/members/no-such-user', {}), await api.delete('/groups/staff/members/no-such-user')]) {
        assert.equal(answer.status, 404);
        assert.equal(answer.body.code, 'not_found');
      }
      const long = await api.put(`/groups//members/${ids.bob}`, {});
      assert.equal(long.status, 400, JSON.stringify(long.body));
      assert.deepEqual(long.body.details.map((detail: { path: string }) => detail.path), ['params.name']);
      assert.equal((await groupsOf('bob')).length, 2);
    });

    test('without a token, nothing is told about groups', async () => {
      const anonymous = await apiClient(server, undefined).get('/groups');
      assert.equal(anonymous.status, 401);
    });
  });
}
