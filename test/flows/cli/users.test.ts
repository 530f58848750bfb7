/*
 * `gatehouse users create|disable|enable` beside a running server, on each dialect: the users
 * they make sign in (checked through the password grant, the login page's own check), the
 * policy and the file's rules refuse what they refuse, and disabling ends what a user holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { secretOf } from '../../helpers/applications.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { postToken } from '../../helpers/token-endpoint.js';

const danPassword = 'dan declares his password';
const declarations = {
  applications: [{
    client_id: 'legacy', client_secret: secretOf('legacy'), token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['password', 'refresh_token'], scope: 'openid profile email offline_access',
  }],
  users: [{ username: 'dan', password: danPassword }],
  // Wrong passwords below must not block the test's address.
  security: { ip_threshold: 1000, lockout_threshold: 1000 },
};

const passwordGrant = (server: TestServer, username: string, password: string, scope = 'openid profile email') =>
  postToken(server, { grant_type: 'password', client_id: 'legacy', client_secret: secretOf('legacy'), username, password, scope });

for (const dialect of dialects) {
  describe(`gatehouse users create, disable and enable (${dialect})`, () => {
    let server: TestServer;
    const run = (argv: string[], stdin = '') => gatehouse(server, argv, stdin);

    before(async () => {
      server = await startServer({ dialect, declarations });
    });
    after(() => server?.close());

    test('users create with a piped password, email, name and groups: the user signs in and its claims are there', async () => {
      const password = 'erin reads by the river';
      const created = await run(['users', 'create', 'Erin', '--email', 'Erin@Example.com', '--name', 'Erin Example', '--group', 'staff', '--group', 'ops', '--password'], `${password}\n`);
      assert.deepEqual([created.code, created.stderr], [0, '']);
      assert.equal(created.stdout, 'created user "Erin" <erin@example.com>\n');
      const grant = await passwordGrant(server, 'erin', password);
      assert.equal(grant.status, 200, JSON.stringify(grant.body));
      const user = await server.services.users.findByUsername('erin');
      assert.deepEqual([user?.email, user?.profile, user?.groups, user?.disabled, user?.owner], ['erin@example.com', { name: 'Erin Example' }, ['staff', 'ops'], false, 'database']);
    });

    test('users create --generate-password prints a password once, which signs in', async () => {
      const created = await run(['users', 'create', 'frank', '--generate-password']);
      assert.deepEqual([created.code, created.stderr], [0, '']);
      const password = /^password: (\S+)$/m.exec(created.stdout)?.[1];
      assert.ok(password && password.length >= 24, created.stdout);
      assert.match(created.stdout, /shown this once: only its hash is stored/);
      assert.equal((await passwordGrant(server, 'frank', password)).status, 200);
    });

    test('users create without a password makes a user who cannot sign in with one', async () => {
      const created = await run(['users', 'create', 'grace', '--email', 'grace@example.com']);
      assert.deepEqual([created.code, created.stdout], [0, 'created user "grace" <grace@example.com> without a password\n']);
      assert.equal((await passwordGrant(server, 'grace', '')).status, 400);
      assert.equal((await server.services.users.findByUsername('grace'))?.passwordHash, undefined);
    });

    test('users create refuses a weak password, a name or email taken, an invalid email, and creates nothing', async () => {
      const cases: Array<[string[], string, RegExp]> = [
        [['users', 'create', 'heidi', '--password'], 'short', /the password must be at least 12 characters long/],
        [['users', 'create', 'heidi', '--password'], 'password1234', /the password is on the list of commonly used passwords/],
        [['users', 'create', 'heidi', '--password'], '', /no password on standard input/],
        [['users', 'create', 'heidi', '--email', 'heidi-at-example'], '', /user "heidi" is invalid; nothing was changed\n {2}--email \(email\): Invalid email address/],
        [['users', 'create', 'heidi', '--email', 'ERIN@example.com'], '', /email erin@example.com already belongs to user "Erin"/],
        [['users', 'create', 'ＥＲＩＮ'], '', /user name "Erin" is taken/],
        [['users', 'create', 'DAN', '--password'], 'dan would type this', /user name "dan" is taken/],
      ];
      for (const [argv, stdin, message] of cases) {
        const { code, stdout, stderr } = await run(argv, stdin);
        assert.equal(code, 1, argv.join(' '));
        assert.equal(stdout, '');
        assert.match(stderr, message, argv.join(' '));
      }
      assert.equal(await server.services.users.findByUsername('heidi'), undefined);
      assert.equal((await passwordGrant(server, 'dan', danPassword)).status, 200, 'dan is as he was');
    });

    test('users disable refuses sign-ins and ends the user\'s tokens at once; users enable lets it sign in again', async () => {
      await run(['users', 'create', 'ivan', '--password'], 'ivan sails the baltic sea');
      const before = await passwordGrant(server, 'ivan', 'ivan sails the baltic sea', 'openid offline_access');
      assert.equal(before.status, 200);
      const refreshToken = before.body.refresh_token as string;
      assert.ok(refreshToken);

      const disabled = await run(['users', 'disable', 'IVAN']);
      assert.deepEqual([disabled.code, disabled.stderr], [0, '']);
      assert.equal(disabled.stdout, 'disabled "ivan": its sessions, grants and tokens have ended\n');
      assert.equal((await passwordGrant(server, 'ivan', 'ivan sails the baltic sea')).body.error, 'invalid_grant');
      const refresh = await postToken(server, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'legacy', client_secret: secretOf('legacy') });
      assert.equal(refresh.body.error, 'invalid_grant', 'the refresh token stopped working');
      assert.equal((await run(['users', 'disable', 'ivan'])).stdout, '"ivan" was disabled already\n');

      const enabled = await run(['users', 'enable', 'ivan']);
      assert.deepEqual([enabled.code, enabled.stdout, enabled.stderr], [0, 'enabled "ivan"\n', '']);
      assert.equal((await passwordGrant(server, 'ivan', 'ivan sails the baltic sea')).status, 200);
      assert.equal((await run(['users', 'enable', 'ivan'])).stdout, '"ivan" was not disabled\n');
    });

    test('disabling a user the file declares works, with a warning that the next start applies the file again', async () => {
      const disabled = await run(['users', 'disable', 'dan']);
      assert.equal(disabled.code, 0);
      assert.match(disabled.stderr, /^warning: "dan" is declared in the configuration file \(.*\), which the next start applies again: set disabled: true in its entry there too, or the start enables it again\n$/);
      assert.equal((await passwordGrant(server, 'dan', danPassword)).body.error, 'invalid_grant');
      const enabled = await run(['users', 'enable', 'dan']);
      assert.deepEqual([enabled.code, enabled.stderr], [0, ''], 'enabled as the file says: nothing to warn about');
    });

    test('disable and enable name a user they cannot find', async () => {
      for (const command of ['disable', 'enable']) {
        const { code, stderr } = await run(['users', command, 'nobody']);
        assert.equal(code, 1);
        assert.match(stderr, /no user "nobody"/);
      }
    });
  });
}
