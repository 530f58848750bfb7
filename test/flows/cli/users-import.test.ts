/*
 * `gatehouse users import` beside a running server, on each dialect: 10,000 users from CSV with
 * a few bad lines, each reported by line while the rest are imported, plain progress lines when
 * standard error is not a terminal and a bar when it is, and imported users signing in with the
 * passwords of the system they came from (bcrypt and argon2 hashes). The import of the 10,000
 * users runs the built bin (package.json's bin, dist/cli/main.js) as a process of its own on the
 * server's temporary data directory, as an operator runs it; the other commands run in-process,
 * which is faster and can fake a terminal.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import * as oidc from 'openid-client';
import { redirectUri, secretOf } from '../../helpers/applications.js';
import { assertCurrentBuild, gatehouse, gatehouseIn, runGatehouseBeside, serverEnvironment, type CliResult } from '../../helpers/cli.js';
import { signIn } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { postToken } from '../../helpers/token-endpoint.js';
import { hashPassword } from '../../../src/users/password-hasher.js';

const declarations = {
  applications: [
    { client_id: 'legacy', client_secret: secretOf('legacy'), token_endpoint_auth_method: 'client_secret_post', grant_types: ['password'] },
    { client_id: 'web', client_secret: secretOf('web'), redirect_uris: [redirectUri] },
  ],
  users: [{ username: 'owner', email: 'taken@example.com', password: 'the owner keeps this one' }],
  security: { ip_threshold: 1000 },
};

const passwordGrant = (server: TestServer, username: string, password: string) =>
  postToken(server, { grant_type: 'password', client_id: 'legacy', client_secret: secretOf('legacy'), username, password, scope: 'openid' });

const total = 10_000;
/** The bad lines of the file (1-based, the header is line 1) and why each is refused. */
const badLines = new Map<number, [string, RegExp]>([
  [101, ['bad-email,not-an-email,Bad Email,,', /email: Invalid email address/]],
  [2002, [',nameless@example.com,No Name,,', /username: required/]],
  [4003, ['user03998,dup@example.com,Duplicate,,', /^username: "user03998" is in the file already, on line 4001$/]],
  // A repeat in a later batch: the first is stored by then, and the database finds its email taken.
  [5004, ['late-dup,user04000@example.com,Late Duplicate,,', /^email: "user04000@example\.com" belongs to the existing user "user04000"$/]],
  [7004, ['mangled,mangled@example.com,Mangled,$2b$10$cut-short,', /password_hash/]],
  [9005, ['thief,taken@example.com,Thief,,', /email: "taken@example.com" belongs to the existing user "owner"/]],
]);

for (const dialect of dialects) {
  describe(`gatehouse users import (${dialect})`, () => {
    let server: TestServer;
    let dir: string;
    let csv: string;
    let first: CliResult;

    before(async () => {
      assertCurrentBuild(); // before 10,000 lines are written, if the bin cannot run
      server = await startServer({ dialect, declarations });
      dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-import-'));
      // Most users share one cheap hash; two carry hashes of their own, as the old systems made them.
      const shared = await bcrypt.hash('a shared old password', 4);
      const bcryptHash = await bcrypt.hash('ruth remembers her old password', 10);
      const argonHash = await hashPassword('sam remembers his old password');
      const lines = ['username,email,name,password_hash,groups'];
      let n = 0;
      while (lines.length < total + badLines.size + 1) {
        const bad = badLines.get(lines.length + 1);
        if (bad) {
          lines.push(bad[0]);
          continue;
        }
        n += 1;
        const name = n === 1 ? 'ruth' : n === 2 ? 'sam' : `user${String(n).padStart(5, '0')}`;
        const hash = n === 1 ? bcryptHash : n === 2 ? argonHash : shared;
        // An argon2 hash holds commas: quoted, as a spreadsheet writes it.
        lines.push(`${name},${name}@example.com,"${name}, imported","${hash}",staff;imported`);
      }
      csv = path.join(dir, 'users.csv');
      await writeFile(csv, `${lines.join('\n')}\n`);
      first = await runGatehouseBeside(server, ['users', 'import', csv]);
    });
    after(async () => {
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('10,000 users are imported; each bad line is printed as it is found, the totals at the end, and the exit status is 1', async () => {
      assert.equal(first.code, 1, first.stderr);
      const failures = first.stdout.trim().split('\n');
      const totals = failures.pop();
      assert.equal(totals, `imported 10,000 users; skipped 0 whose user name exists already; ${badLines.size} failed`);
      assert.equal(failures.length, badLines.size);
      for (const [index, [line, [, reason]]] of [...badLines].entries()) {
        const printed = /^line (\d+): (.*)$/.exec(failures[index]!);
        assert.equal(printed?.[1], String(line), failures[index]);
        assert.match(printed[2]!, reason);
      }
      assert.match(first.stderr, /\ngatehouse: 6 lines were not imported \(listed above\); every other user was\n$/);
      assert.equal(await server.services.users.count(), total + 2, 'the imported users, the declared owner and the first administrator');
      const user = await server.services.users.findByUsername('user05000');
      assert.deepEqual([user?.email, user?.profile, user?.groups], ['user05000@example.com', { name: 'user05000, imported' }, ['staff', 'imported']]);
      assert.equal((await server.services.users.findByUsername('owner'))?.email, 'taken@example.com', 'the existing owner is untouched');
    });

    test('standard error, not a terminal, gets plain progress lines ending at 100%', () => {
      const progress = first.stderr.split('\n').filter((line) => line.startsWith('progress: '));
      assert.ok(progress.length >= 1);
      assert.ok(!first.stderr.includes('\r'), 'no carriage returns in a log');
      assert.equal(progress.at(-1), `progress: 100%, ${(total + badLines.size + 1).toLocaleString('en-US')} lines, 10,000 imported, 6 failed`);
    });

    test('imported users sign in with the passwords of their old system, bcrypt and argon2', async () => {
      // On the login page of a code flow, as a person signs in…
      const config = await oidc.discovery(new URL(server.issuer), 'web', secretOf('web'), undefined, insecure);
      const tokens = await signIn(server, config, 'openid', { credentials: { username: 'ruth', password: 'ruth remembers her old password' } });
      assert.equal(tokens.claims()?.sub, (await server.services.users.findByUsername('ruth'))?.id);
      // …and through the password grant, the same check without the pages.
      assert.equal((await passwordGrant(server, 'ruth', 'ruth remembers her old password')).status, 200);
      assert.equal((await passwordGrant(server, 'sam', 'sam remembers his old password')).status, 200);
      assert.equal((await passwordGrant(server, 'user09999', 'a shared old password')).status, 200);
      assert.equal((await passwordGrant(server, 'ruth', 'not her password')).body.error, 'invalid_grant');
    });

    test('importing again skips every user that exists, and reports the same bad lines', async () => {
      const again = await gatehouse(server, ['users', 'import', csv]);
      assert.equal(again.code, 1);
      assert.match(again.stdout, /\nimported 0 users; skipped 10,000 whose user name exists already; 6 failed\n$/);
      assert.deepEqual(again.stdout.split('\n').slice(0, -2), first.stdout.split('\n').slice(0, -2), 'the same failures');
      assert.equal(await server.services.users.count(), total + 2);
    });

    test('JSON lines, from a file or from standard input, and a progress bar on a terminal', async () => {
      const jsonl = path.join(dir, 'more.jsonl');
      await writeFile(jsonl, `${JSON.stringify({ username: 'tom', email: 'tom@example.com', attributes: { desk: '4.12' } })}\n`);
      const fromFile = await gatehouseIn(serverEnvironment(server), ['users', 'import', jsonl], '', { terminal: true });
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.equal(fromFile.stdout, 'imported 1 user; skipped 0 whose user name exists already; 0 failed\n');
      assert.match(fromFile.stderr, /\r\[#+\] 100% {2}1 lines, 1 imported, 0 failed\x1b\[K\n$/);
      assert.deepEqual((await server.services.users.findByUsername('tom'))?.attributes, { desk: '4.12' });

      // On a terminal, a failure printed while the bar is drawn clears the bar's line first, so that it does not land after it.
      const broken = path.join(dir, 'broken.jsonl');
      await writeFile(broken, '{"username": \n');
      const withBar = await gatehouseIn(serverEnvironment(server), ['users', 'import', broken], '', { terminal: true });
      assert.equal(withBar.code, 1);
      assert.match(withBar.stdout, /^line 1: not valid JSON.*\nimported 0 users; skipped 0 whose user name exists already; 1 failed\n$/);
      assert.ok(withBar.stderr.startsWith('\r\x1b[K'), JSON.stringify(withBar.stderr));

      const piped = await gatehouse(server, ['users', 'import', '-', '--format', 'jsonl'], `${JSON.stringify({ username: 'uma' })}\n{"username": \n`);
      assert.equal(piped.code, 1);
      assert.match(piped.stdout, /^line 2: not valid JSON.*\nimported 1 user; skipped 0 whose user name exists already; 1 failed\n$/);
      assert.match(piped.stderr, /progress: 2 lines, 1 imported, 1 failed\n/, 'no fraction for a stream of unknown length');
    });

    test('a file that cannot be read, or a CSV header Gatehouse cannot use, imports nothing', async () => {
      const missing = await gatehouse(server, ['users', 'import', path.join(dir, 'missing.csv')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /missing\.csv: cannot be read \(ENOENT\)/);
      const clear = path.join(dir, 'clear.csv');
      await writeFile(clear, 'username,password\nvictor,hunter2hunter2\n');
      const refused = await gatehouse(server, ['users', 'import', clear]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /clear-text passwords are not imported/);
      assert.equal(await server.services.users.findByUsername('victor'), undefined);
    });
  });
}
