/*
 * The users resource of the management API, its records, driven over HTTP with a machine token:
 * a user is created, read, changed in part and deleted, shown without its password; bad input
 * names its field; the password policy, a taken user name or email, and a user the
 * configuration file declares are refused; listings search by name, email and group, and page
 * by the normalized user name without duplicates or gaps while users are inserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../../helpers/databases.js';
import { allPages, apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const declarations = {
  applications: [automation],
  users: [{ username: alice.username, password: alice.password, email: 'alice@example.com', name: 'Alice Liddell', groups: ['staff'] }],
};

const names = (items: Array<{ username: string }>) => items.map((item) => item.username);
const paths = (body: { details?: Array<{ path: string }> }) => (body.details ?? []).map((detail) => detail.path).sort();

/** Creates these users, a few requests at a time, each answered 201. */
async function createAll(api: ApiClient, bodies: object[]): Promise<void> {
  for (let start = 0; start < bodies.length; start += 8) {
    for (const answer of await Promise.all(bodies.slice(start, start + 8).map((body) => api.post('/users', body)))) {
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
    }
  }
}

for (const dialect of dialects) {
  describe(`users through the management API (${dialect})`, () => {
    let server: TestServer;
    let api: ApiClient;

    before(async () => {
      server = await startServer({ declarations, dialect });
      api = apiClient(server, await machineToken(server));
    });
    after(() => server?.close());

    test('a user is created, read, changed in part and deleted, and never shown with its password', async () => {
      const password = 'grace writes the first compiler';
      const created = await api.post('/users', {
        username: 'Grace', email: 'Grace@Example.com', password, name: 'Grace Hopper', groups: ['engineers'], attributes: { department: 'Navy', rank: 3 },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { id, created_at: createdAt, updated_at: _updatedAt, ...shown } = created.body;
      assert.deepEqual(shown, {
        username: 'Grace', email: 'grace@example.com', name: 'Grace Hopper', groups: ['engineers'], attributes: { department: 'Navy', rank: 3 },
        disabled: false, has_password: true, declared: false,
      });
      assert.ok(!Number.isNaN(Date.parse(createdAt)));
      assert.deepEqual((await api.get(`/users/${id}`)).body, created.body);

      const changed = await api.patch(`/users/${id}`, { name: 'Grace B. Hopper', nickname: 'Amazing Grace', email: null, groups: ['engineers', 'admirals'] });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual(
        [changed.body.username, changed.body.name, changed.body.nickname, changed.body.email, changed.body.groups, changed.body.attributes],
        ['Grace', 'Grace B. Hopper', 'Amazing Grace', undefined, ['engineers', 'admirals'], { department: 'Navy', rank: 3 }],
      );
      const claimRemoved = await api.patch(`/users/${id}`, { nickname: null, username: 'grace.hopper' });
      assert.deepEqual([claimRemoved.body.username, claimRemoved.body.name, 'nickname' in claimRemoved.body], ['grace.hopper', 'Grace B. Hopper', false]);

      const listed = JSON.stringify((await allPages(api, '/users', 50)).items);
      for (const text of [JSON.stringify(created.body), listed]) {
        assert.ok(!text.includes(password) && !text.includes('argon2') && !text.includes('password_hash'), 'no password nor hash is shown');
      }

      assert.equal((await api.delete(`/users/${id}`)).status, 204);
      for (const answer of [await api.get(`/users/${id}`), await api.delete(`/users/${id}`), await api.patch(`/users/${id}`, { name: 'x' }), await api.post(`/users/${id}/disable`)]) {
        assert.deepEqual([answer.status, answer.body.code], [404, 'user_not_found']);
      }
    });

    test('bad input is refused naming each field, and nothing is stored', async () => {
      const bySchema = await api.post('/users', { username: ' ', email: 'not an email', groups: ['ops', ''], picture: 'not a url', birthdate: '1 May' });
      assert.equal(bySchema.status, 400);
      assert.equal(bySchema.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.deepEqual(paths(bySchema.body), ['body.birthdate', 'body.email', 'body.groups.1', 'body.picture', 'body.username']);
      assert.deepEqual(paths((await api.post('/users', { email: 'nobody@example.com' })).body), ['body.username']);
      const unknownField = await api.post('/users', { username: 'extra', colour: 'blue' });
      assert.deepEqual([unknownField.status, unknownField.body.code], [400, 'invalid_request']);
      assert.match(unknownField.body.detail, /colour/);
      const patchDisables = await api.patch(`/users/${(await api.get('/users?q=alice')).body.items[0].id}`, { disabled: true });
      assert.equal(patchDisables.status, 400, 'disabling has a request of its own');

      const weak = await api.post('/users', { username: 'weak', password: 'password1234' });
      assert.deepEqual([weak.status, weak.body.code, paths(weak.body)], [400, 'password_policy', ['body.password']]);
      assert.match(weak.body.detail, /commonly used/);
      assert.deepEqual((await api.get('/users?q=weak')).body.items, [], 'the refused user was not created');
      assert.deepEqual((await api.get('/users?q=extra')).body.items, []);

      assert.deepEqual(paths((await api.get('/users?limit=0')).body), ['querystring.limit']);
      assert.deepEqual(paths((await api.get('/users?cursor=not-a-cursor')).body), ['querystring.cursor']);

      // What the columns cannot hold, and what PostgreSQL cannot store at all, is the caller's mistake, not a failure.
      const tooLong = await api.post('/users', { username: '\uFDFA'.repeat(100), email: `${'e'.repeat(320)}@example.com` });
      assert.deepEqual([tooLong.status, paths(tooLong.body)], [400, ['body.email', 'body.username']]);
      const withNul = await api.post('/users', { username: 'nul\u0000user', attributes: { note: 'a\u0000b' } });
      assert.deepEqual([withNul.status, paths(withNul.body)], [400, ['body.attributes.note', 'body.username']]);
      for (const path of ['/users/%00', '/users?q=%00', `/users?cursor=${Buffer.from(JSON.stringify(['\u0000'])).toString('base64url')}`]) {
        const answer = await api.get(path);
        assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
      }
    });

    test('a changed email is no longer verified, unless the same change says it is', async () => {
      const created = await api.post('/users', { username: 'grace', email: 'grace@example.com', email_verified: true });
      const grace = created.body as { id: string };
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const moved = await api.patch(`/users/${grace.id}`, { email: 'grace@elsewhere.example' });
      assert.deepEqual([moved.status, moved.body.email, moved.body.email_verified], [200, 'grace@elsewhere.example', undefined]);
      const vouched = await api.patch(`/users/${grace.id}`, { email: 'grace@third.example', email_verified: true });
      assert.equal(vouched.body.email_verified, true);
      const sameAgain = await api.patch(`/users/${grace.id}`, { email: 'Grace@Third.example', name: 'Grace' });
      assert.equal(sameAgain.body.email_verified, true, 'the same address in another case is no change');
    });

    test('a user name or email taken already, in any case, is a conflict', async () => {
      await createAll(api, [{ username: 'hedy', email: 'hedy@example.com' }]);
      const hedy = (await api.get('/users?q=hedy')).body.items[0];
      for (const answer of [
        await api.post('/users', { username: 'ALICE' }),
        await api.post('/users', { username: 'alice2', email: 'Alice@Example.com' }),
        await api.patch(`/users/${hedy.id}`, { email: 'alice@example.com' }),
        await api.patch(`/users/${hedy.id}`, { username: 'Alice' }),
      ]) {
        assert.deepEqual([answer.status, answer.body.code], [409, 'conflict'], JSON.stringify(answer.body));
      }
      assert.deepEqual((await api.get(`/users/${hedy.id}`)).body, hedy, 'unchanged');
    });

    test('a user the configuration file declares is shown as declared and refused, unchanged', async () => {
      const shown = (await api.get('/users?q=alice')).body.items[0];
      assert.deepEqual([shown.username, shown.declared, shown.has_password, shown.groups], ['alice', true, true, ['staff']]);
      for (const answer of [
        await api.patch(`/users/${shown.id}`, { name: 'Someone Else' }),
        await api.post(`/users/${shown.id}/disable`),
        await api.post(`/users/${shown.id}/password`, { password: 'a password alice never chose' }),
        await api.delete(`/users/${shown.id}`),
      ]) {
        assert.deepEqual([answer.status, answer.body.code], [409, 'declared_in_config_file'], JSON.stringify(answer.body));
        assert.match(answer.body.detail, /declared in the configuration file; change it there/);
      }
      assert.deepEqual((await api.get(`/users/${shown.id}`)).body, shown);
    });

    test('a search matches user name or email ignoring case, and a group exactly', async () => {
      await createAll(api, [
        { username: 'Search-Ann', email: 'ann@corp.example', groups: ['ops'] },
        { username: 'search-bob', email: 'bob@Other.example', groups: ['ops', 'dev'] },
        { username: 'carl', email: 'carl@corp.example', groups: ['Ops', 'a"b\\c'] },
        { username: 'dora_100%', groups: ['op_'] },
      ]);
      assert.deepEqual(names((await allPages(api, '/users?q=SEARCH', 1)).items), ['Search-Ann', 'search-bob']);
      assert.deepEqual(names((await allPages(api, '/users?q=corp.EXAMPLE', 1)).items), ['carl', 'Search-Ann']);
      assert.deepEqual(names((await allPages(api, '/users?q=%25', 5)).items), ['dora_100%'], 'a % is matched as itself');
      assert.deepEqual(names((await allPages(api, '/users?group=ops', 1)).items), ['Search-Ann', 'search-bob'], 'not Ops');
      assert.deepEqual(names((await allPages(api, '/users?group=Ops', 5)).items), ['carl']);
      assert.deepEqual(names((await allPages(api, `/users?group=${encodeURIComponent('a"b\\c')}`, 5)).items), ['carl'], 'quotes and backslashes as themselves');
      assert.deepEqual(names((await allPages(api, '/users?group=op_', 5)).items), ['dora_100%']);
      assert.deepEqual(names((await allPages(api, '/users?q=search&group=dev', 5)).items), ['search-bob']);
    });

    test('pages of users have no duplicates or gaps, and users inserted meanwhile never shift them', async () => {
      const pagers = Array.from({ length: 120 }, (_, i) => `pager${String(i).padStart(3, '0')}`);
      await createAll(api, pagers.map((username) => ({ username })));

      const everyone = await allPages(api, '/users', 25);
      const total = (await allPages(api, '/users', 200)).items.length;
      assert.equal(everyone.items.length, total);
      assert.equal(new Set(names(everyone.items)).size, total, 'no duplicates');
      assert.ok(pagers.every((name) => names(everyone.items).includes(name)), 'no gaps');
      assert.equal(everyone.pages, Math.ceil(total / 25));

      const first = await api.get('/users?q=pager&limit=25');
      assert.deepEqual(names(first.body.items), pagers.slice(0, 25));
      // Before the cursor (ahead of pager001, on the page read already), and after it.
      await createAll(api, [{ username: 'pager000x' }, { username: 'pager030x' }, { username: 'pager119x' }]);
      const rest: Array<{ username: string }> = [];
      let cursor: string | null = first.body.next_cursor;
      let meanwhile: Promise<void> | undefined;
      while (cursor) {
        const page = await api.get(`/users?q=pager&limit=25&cursor=${encodeURIComponent(cursor)}`);
        rest.push(...page.body.items);
        cursor = page.body.next_cursor;
        meanwhile ??= createAll(api, [{ username: 'pager005y' }]);
      }
      await meanwhile;
      const seen = names([...first.body.items, ...rest]);
      assert.deepEqual(seen, [...pagers, 'pager030x', 'pager119x'].sort(), 'each user once, in order; those inserted behind the cursor are not seen');
      assert.equal((await allPages(api, '/users?q=pager', 200)).items.length, 124, 'they were stored');
    });
  });
}
