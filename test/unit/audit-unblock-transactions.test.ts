/*
 * `gatehouse users unlock` and `gatehouse ips unblock` change the counters and record the change
 * in one transaction: an event that cannot be written undoes the change, and a change that
 * stays always has its event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createChangeLog, type ChangeLog } from '../../src/audit/change-log.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createAttemptCounterQueries } from '../../src/db/queries/attempt-counters.js';
import { accountKey } from '../../src/protection/account-lockout.js';
import { clientAuthKey } from '../../src/protection/client-auth-limits.js';
import { createSignInProtection } from '../../src/protection/sign-in-protection.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { dialects } from '../helpers/databases.js';
import { openFreshStorage, type FreshStorage } from '../helpers/fresh-services.js';
import { pinnedClock } from '../helpers/test-clock.js';

const clock = pinnedClock(Date.UTC(2026, 11, 3, 9));
const actor: Actor = { kind: 'cli', command: 'test' };
/** A change log whose write fails, as the audit table's would on a full disk or a constraint. */
const failingChanges: ChangeLog = { record: async () => { throw new Error('the audit table refused the event'); } };

for (const dialect of dialects) {
  describe(`unlocking and unblocking with their audit event in one transaction (${dialect})`, () => {
    let fresh: FreshStorage;
    let db: Db;

    before(async () => {
      fresh = await openFreshStorage(dialect);
      await migrateToLatest(fresh.storage.db);
      db = fresh.storage.db;
    });
    after(() => fresh?.cleanup());

    const protection = (changes: ChangeLog) => createSignInProtection({ db, clock, settings: defaultSecuritySettings, changes });
    const counter = (key: string) => createAttemptCounterQueries(db).find(key);
    const events = (type: string) => db.selectFrom('audit_events').selectAll().where('type', '=', type).execute();

    async function lockUser(userId: string): Promise<void> {
      const { accounts } = protection(failingChanges);
      for (let n = 0; n < defaultSecuritySettings.lockoutThreshold; n += 1) {
        const admission = await accounts.admit(accountKey(userId, ''));
        if (admission.admitted) await admission.attempt.fail();
      }
      assert.equal((await accounts.admit(accountKey(userId, ''))).admitted, false, 'the user is locked');
    }

    test('an unlock whose event cannot be recorded is undone: the user stays locked, and no event is stored', async () => {
      await lockUser('user-locked');
      await assert.rejects(protection(failingChanges).accounts.unlockUser(actor, 'user-locked'), /refused the event/);
      assert.ok(await counter(accountKey('user-locked', '')), 'the lock is still there');
      assert.equal((await protection(failingChanges).accounts.admit(accountKey('user-locked', ''))).admitted, false, 'the user is still locked');
      assert.deepEqual(await events('user.unlocked'), []);
    });

    test('an unlock that is recorded lifts the lock and stores its event', async () => {
      await lockUser('user-unlocked');
      assert.equal(await protection(createChangeLog({ clock, ids: randomIds })).accounts.unlockUser(actor, 'user-unlocked'), true);
      assert.equal(await counter(accountKey('user-unlocked', '')), undefined);
      const stored = await events('user.unlocked');
      assert.deepEqual(stored.map((event) => [event.user_id, event.actor_kind, event.actor_id]), [['user-unlocked', 'cli', 'test']]);
    });

    test('an address unblock whose event cannot be recorded is undone: its counters stay, and no event is stored', async () => {
      const address = '203.0.113.61';
      await protection(failingChanges).clients.recordFailure(address, 'reports');
      await assert.rejects(protection(failingChanges).unblockAddress(actor, address), /refused the event/);
      assert.ok(await counter(clientAuthKey(address, 'reports')), 'the application\'s counter at the address is still there');
      assert.deepEqual(await events('address.unblocked'), []);
    });

    test('an address unblock that is recorded clears its counters and stores its event', async () => {
      const address = '203.0.113.62';
      await protection(failingChanges).clients.recordFailure(address, 'reports');
      const unblocked = await protection(createChangeLog({ clock, ids: randomIds })).unblockAddress(actor, address);
      assert.deepEqual(unblocked.clients, ['reports']);
      assert.equal(await counter(clientAuthKey(address, 'reports')), undefined);
      const stored = await events('address.unblocked');
      assert.deepEqual(stored.map((event) => [event.client_address, event.actor_kind]), [[address, 'cli']]);
    });
  });
}
