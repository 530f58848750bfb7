/*
 * `gatehouse users factors list|remove` beside a running server, on each dialect: a user's
 * second factors are listed one per line without secrets, by user name or id; one is removed,
 * audited under the command, the last app or passkey taking the recovery codes with it; an
 * unknown user or factor is refused with status 1, a missing argument with status 2.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPasskeyQueries } from '../../../src/db/queries/passkeys.js';
import { codeAt } from '../../../src/mfa/totp.js';
import type { Actor } from '../../../src/runtime/actor.js';
import { gatehouse } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinnedClock } from '../../helpers/test-clock.js';

const system: Actor = { kind: 'system', reason: 'test' };
const declarations = { users: [{ username: 'erin', password: 'erin reads by the river' }] };

for (const dialect of dialects) {
  describe(`gatehouse users factors list and remove (${dialect})`, () => {
    const clock = pinnedClock(Date.UTC(2026, 11, 8, 9, 0, 15));
    let server: TestServer;
    const run = (argv: string[]) => gatehouse(server, argv);

    before(async () => {
      server = await startServer({ dialect, declarations, clock });
    });
    after(() => server?.close());

    test('list shows each factor on a line, by user name or id; remove takes one, then the last with the recovery codes', async () => {
      const { mfa, users, deps } = server.services;
      const userId = (await users.findByUsername('erin'))!.id;
      assert.deepEqual(await run(['users', 'factors', 'list', 'erin']), { code: 0, stdout: '"erin" has no second factor\n', stderr: '' });

      const { secret } = await mfa.totp.begin(userId, 'erin');
      assert.equal(await mfa.totp.confirm(system, userId, await codeAt(secret, clock.now() / 1000)), true);
      await createPasskeyQueries(deps.db).insert({
        id: 'a2V5LW9uZQ', user_id: userId, name: 'Security key', public_key: 'cHVi', counter: 0, transports: '["usb"]',
        device_type: 'singleDevice', backed_up: 0, created_at: clock.now(), last_used_at: null,
      });
      const codes = await mfa.recoveryCodes.generate(system, userId);
      const at = new Date(clock.now()).toISOString();
      const expected = [
        `totp\ttotp\tAuthenticator app\t${at}\t-\t-`,
        `a2V5LW9uZQ\tpasskey\tSecurity key\t${at}\t-\tsingleDevice`,
        `recovery-codes\trecovery_codes\tRecovery codes\t${at}\t-\t10 remaining`,
      ].join('\n');
      for (const name of ['erin', 'ERIN', userId]) {
        const listed = await run(['users', 'factors', 'list', name]);
        assert.deepEqual(listed, { code: 0, stdout: `${expected}\n`, stderr: '' }, name);
        assert.ok(!listed.stdout.includes(secret) && !codes.some((code) => listed.stdout.includes(code)));
      }

      assert.deepEqual(await run(['users', 'factors', 'remove', 'erin', 'a2V5LW9uZQ']), { code: 0, stdout: 'removed the passkey "Security key" of "erin"\n', stderr: '' });
      const unknown = await run(['users', 'factors', 'remove', 'erin', 'a2V5LW9uZQ']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /"erin" has no second factor "a2V5LW9uZQ"/);
      assert.deepEqual(await run(['users', 'factors', 'remove', 'erin', 'totp']), {
        code: 0, stdout: 'removed the authenticator app of "erin"\n"erin" has no second factor left (nor recovery codes)\n', stderr: '',
      });
      assert.deepEqual(await mfa.factors.enrolled(userId), { totp: false, passkeys: 0, recoveryCodes: 0 });

      await server.audit.flush();
      const events = await deps.db.selectFrom('audit_events').select(['actor_kind', 'actor_id', 'details']).where('type', '=', 'mfa.factor_removed').where('user_id', '=', userId).execute();
      assert.deepEqual(events.map((event) => [event.actor_kind, event.actor_id, JSON.parse(event.details).factor]).sort(), [
        ['cli', 'users factors remove', 'passkey'], ['cli', 'users factors remove', 'totp'],
      ]);
    });

    test('an unknown user is refused with status 1, a missing argument with status 2; each command has its help', async () => {
      for (const words of [['users', 'factors', 'list'], ['users', 'factors', 'remove']]) {
        const help = await run([...words, '--help']);
        assert.equal(help.code, 0);
        assert.match(help.stdout, new RegExp(`^Usage: gatehouse ${words.join(' ')} <user>`));
      }
      const nobody = await run(['users', 'factors', 'list', 'nobody']);
      assert.deepEqual([nobody.code, nobody.stderr], [1, 'gatehouse: no user "nobody"\n']);
      const missing = await run(['users', 'factors', 'remove', 'erin']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /missing argument <factor>/);
    });
  });
}
