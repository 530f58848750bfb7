/*
 * The global MFA settings in the database, on every dialect: the migration's row reads as the
 * defaults; a change is audited once and only when something changed; the configuration file's
 * declaration owns the row (the API is refused) until a file without it hands it back; the
 * automatic administrators' rule turns on once an enabled administrator has a factor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createChangeLog } from '../../src/audit/change-log.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createPasskeyQueries } from '../../src/db/queries/passkeys.js';
import { createMfaServices } from '../../src/mfa/mfa-services.js';
import { codeAt } from '../../src/mfa/totp.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import type { Services } from '../../src/services.js';
import { dialects } from '../helpers/databases.js';
import { openFreshServices, type FreshStorage } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('mfa-settings-test-secret-0123456789-abcdefghij');
const caller: Actor = { kind: 'api', subject: 'client:automation' };
const file: Actor = { kind: 'config_file', file: 'gatehouse.yaml' };
const clock = pinnedClock(Date.UTC(2026, 11, 8, 12, 0, 15));

for (const dialect of dialects) {
  describe(`the MFA settings in the database (${dialect})`, () => {
    let opened: FreshStorage & { services: Services };
    let mfa: ReturnType<typeof createMfaServices>;

    /** Events in the order they were recorded: each change a second after the one before. */
    const settingsEvents = async () => (await opened.storage.db.selectFrom('audit_events').select('details').where('type', '=', 'mfa.settings_changed').orderBy('occurred_at').orderBy('id').execute())
      .map((row) => JSON.parse(row.details) as Record<string, unknown>);

    before(async () => {
      opened = await openFreshServices(dialect, { box, clock });
      const services = createMfaServices({ db: opened.storage.db, box, clock, changes: createChangeLog({ clock, ids: randomIds }) });
      const settings = services.settings;
      const later = <T>(work: () => Promise<T>) => {
        clock.advance(1);
        return work();
      };
      mfa = {
        ...services,
        settings: { ...settings, update: (actor, change) => later(() => settings.update(actor, change)), declare: (actor, declaration) => later(() => settings.declare(actor, declaration)) },
      };
    });
    after(() => opened?.cleanup());

    test('the defaults: optional, automatic for administrators (off while none has a factor), the database\'s', async () => {
      assert.deepEqual(await mfa.settings.get(), { policy: 'optional', requireForAdministrators: null, owner: 'database' });
      assert.equal(await mfa.settings.administratorsRequired(), false);
    });

    test('a change applies what it names, recorded once; one to the stored values records nothing', async () => {
      assert.deepEqual(await mfa.settings.update(caller, { policy: 'required' }), { policy: 'required', requireForAdministrators: null, owner: 'database' });
      assert.deepEqual(await mfa.settings.update(caller, { require_for_administrators: false }), { policy: 'required', requireForAdministrators: false, owner: 'database' });
      assert.equal(await mfa.settings.administratorsRequired(), false, 'as set');
      await mfa.settings.update(caller, { policy: 'required', require_for_administrators: false });
      assert.deepEqual(await settingsEvents(), [
        { before: { policy: 'optional' }, after: { policy: 'required' } },
        { before: { require_for_administrators: null }, after: { require_for_administrators: false } },
      ]);
      await mfa.settings.update(caller, { policy: 'optional', require_for_administrators: null });
    });

    test('automatic: required once an enabled administrator has a confirmed app or a passkey', async () => {
      const { users } = opened.services;
      const admin = (await users.createUser(caller, { username: 'root', groups: ['staff', 'gatehouse-admins'] })).user.id;
      const lookalike = (await users.createUser(caller, { username: 'lookalike', groups: ['Gatehouse-Admins'] })).user.id;
      await createPasskeyQueries(opened.storage.db).insert({
        id: 'cred-lookalike', user_id: lookalike, name: 'Key', public_key: 'cHVi', counter: 0, transports: '[]', device_type: 'singleDevice', backed_up: 0, created_at: clock.now(), last_used_at: null,
      });
      assert.equal(await mfa.settings.administratorsRequired(), false, 'another group, whatever SQLite\'s LIKE says');
      const { secret } = await mfa.totp.begin(admin, 'root');
      assert.equal(await mfa.settings.administratorsRequired(), false, 'an app being set up is not a factor');
      assert.equal(await mfa.totp.confirm(caller, admin, await codeAt(secret, clock.now() / 1000)), true);
      assert.equal(await mfa.settings.administratorsRequired(), true);
      await users.disableUser(caller, admin);
      assert.equal(await mfa.settings.administratorsRequired(), false, 'a disabled administrator does not count');
      await users.enableUser(caller, admin);
      await mfa.factors.remove(caller, admin, 'totp');
      await createPasskeyQueries(opened.storage.db).insert({
        id: 'cred-root', user_id: admin, name: 'Key', public_key: 'cHVi', counter: 0, transports: '[]', device_type: 'singleDevice', backed_up: 0, created_at: clock.now(), last_used_at: null,
      });
      assert.equal(await mfa.settings.administratorsRequired(), true, 'a passkey counts too');
      await mfa.settings.update(caller, { require_for_administrators: false });
      assert.equal(await mfa.settings.administratorsRequired(), false, 'an explicit setting wins');
      await mfa.settings.update(caller, { require_for_administrators: null });
    });

    test('the configuration file owns what it declares, and hands it back when it stops declaring it', async () => {
      const before = (await settingsEvents()).length;
      assert.deepEqual(await mfa.settings.declare(file, { policy: 'required', require_for_administrators: true }), { policy: 'required', requireForAdministrators: true, owner: 'config_file' });
      await assert.rejects(mfa.settings.update(caller, { policy: 'off' }), { code: 'declared_in_config_file' });
      await assert.rejects(mfa.settings.update({ kind: 'cli', command: 'x' }, { policy: 'off' }), { code: 'declared_in_config_file' });
      assert.deepEqual(await mfa.settings.declare(file, { policy: 'required', require_for_administrators: true }), { policy: 'required', requireForAdministrators: true, owner: 'config_file' });
      assert.equal((await settingsEvents()).length, before + 1, 'applying the same file again changes nothing');

      assert.deepEqual(await mfa.settings.declare(file, undefined), { policy: 'required', requireForAdministrators: true, owner: 'database' }, 'values kept');
      assert.deepEqual((await settingsEvents()).at(-1), { before: { owner: 'config_file' }, after: { owner: 'database' }, released_by_file: true });
      assert.deepEqual(await mfa.settings.update(caller, { policy: 'off' }), { policy: 'off', requireForAdministrators: true, owner: 'database' });
      assert.equal((await mfa.settings.declare(file, undefined)).owner, 'database');
      assert.equal((await settingsEvents()).length, before + 3);
    });

    test('a declaration inside a larger change that fails leaves neither it nor its event', async () => {
      const before = await mfa.settings.get();
      const events = (await settingsEvents()).length;
      await assert.rejects(opened.services.transaction(async (trx) => {
        const inside = createMfaServices({ db: trx.deps.db, box, clock, changes: createChangeLog({ clock, ids: randomIds }) });
        await inside.settings.declare(file, { policy: 'required', require_for_administrators: null });
        throw new Error('a later entry fails');
      }), /a later entry fails/);
      assert.deepEqual(await mfa.settings.get(), before);
      assert.equal((await settingsEvents()).length, events);
    });
  });
}
