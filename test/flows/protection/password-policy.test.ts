import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../../../src/users/password-hasher.js';
import { gatehouse, serverEnvironment } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { carol } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { LoginForm, protectionDeclarations, webApplication } from './support.js';

/** Runs the real `gatehouse` entry point as a separate process, the way an operator would. */
function runEntryPoint(server: TestServer, argv: string[], stdinText: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
      env: { PATH: process.env.PATH ?? '', ...serverEnvironment(server) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdinText);
  });
}

describe('password policy when Gatehouse starts', () => {
  const withUser = (password: string, security: Record<string, unknown> = {}) => ({
    applications: [webApplication],
    users: [{ username: 'eve', password }],
    security,
  });

  test('a configuration-file password breaking a rule stops the start, naming the file, the user and the rule', async () => {
    await assert.rejects(startServer({ declarations: withUser('too short') }), /gatehouse\.json: users\[0\] \("eve"\): the password must be at least 12 characters long/);
    await assert.rejects(startServer({ declarations: withUser('1qaz2wsx3edc') }), /users\[0\] \("eve"\): the password is on the list of commonly used passwords/);
    await assert.rejects(
      startServer({ declarations: withUser('fourteen chars', { password_min_length: 16 }) }),
      /must be at least 16 characters long/,
    );
  });

  test('a first-run administrator password breaking a rule stops the start; a good one signs in', async () => {
    const firstRun = (password: string) => startServer({ declarations: { applications: [webApplication] }, env: { GATEHOUSE_ADMIN_PASSWORD: password } });
    await assert.rejects(firstRun('admin'), /the password must be at least 12 characters long/);
    await assert.rejects(firstRun('password1234'), /the password is on the list of commonly used passwords/);
    const server = await firstRun('a long and uncommon admin phrase');
    try {
      assert.equal((await new LoginForm(server).attempt('admin', 'a long and uncommon admin phrase')).signedIn, true);
    } finally {
      await server.close();
    }
  });

  // Each setting's rule is checked in test/unit/parse-declarations.test.ts.
  test('an invalid security setting stops the start with a message naming the setting', async () => {
    await assert.rejects(startServer({ declarations: { security: { lockout_threshold: 0 } } }), /security\.lockout_threshold: .*>=\s?1/);
  });
});

for (const dialect of dialects) {
  describe(`password policy through the CLI (${dialect})`, () => {
    let server: TestServer;

    before(async () => {
      const declarations = protectionDeclarations({ ip_threshold: 10000 });
      // An imported hash is taken as it is, even of a password the policy would refuse today.
      declarations.users.push({ username: 'legacy', password_hash: await hashPassword('short') } as never);
      server = await startServer({ dialect, declarations });
    });
    after(() => server?.close());

    test('an imported hash signs in as it is', async () => {
      assert.equal((await new LoginForm(server).attempt('legacy', 'short')).signedIn, true);
    });

    test('gatehouse users set-password refuses a password breaking a rule, naming the rule, and changes nothing', async () => {
      for (const [password, rule] of [
        ['short\n', /the password must be at least 12 characters long/],
        ['qwertyuiop123\n', /the password is on the list of commonly used passwords/],
        ['ababababababab', /must not be one short sequence of characters repeated/],
      ] as const) {
        const result = await gatehouse(server, ['users', 'set-password', 'carol'], password);
        assert.equal(result.code, 1, password);
        assert.match(result.stderr, rule);
      }
      assert.match((await gatehouse(server, ['users', 'set-password', 'carol'], '')).stderr, /no password on standard input/);
      assert.match((await gatehouse(server, ['users', 'set-password', 'nobody'], 'a fine new passphrase')).stderr, /no user "nobody"/);
      assert.equal((await new LoginForm(server).attempt('carol', carol.password)).signedIn, true, 'the old password still works');
    });

    test('gatehouse users set-password sets a good password, read from standard input', async () => {
      const result = await gatehouse(server, ['users', 'set-password', 'CAROL'], 'carol now has a new passphrase\n');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /set the password of "carol"/);
      const form = new LoginForm(server);
      assert.equal((await form.attempt('carol', carol.password)).signedIn, false, 'the old password no longer works');
      assert.equal((await form.attempt('carol', 'carol now has a new passphrase')).signedIn, true);
    });

    test('the gatehouse entry point runs as its own process beside the server, and exits when done', async () => {
      const accepted = await runEntryPoint(server, ['users', 'set-password', 'dave'], 'dave grows the tallest sunflowers\n');
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.equal((await new LoginForm(server).attempt('dave', 'dave grows the tallest sunflowers')).signedIn, true);
    });

    test('gatehouse help lists the commands', async () => {
      const help = await gatehouse(server, ['help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /gatehouse users unlock <username>/);
      assert.match(help.stdout, /gatehouse users set-password <username>/);
      assert.match(help.stdout, /gatehouse ips unblock <address>/);
    });
  });
}
