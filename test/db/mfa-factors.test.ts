/*
 * Second factors in the database, on every dialect: an authenticator app is set up with a
 * sealed secret and active only after a right code; each code is accepted once, and only a later
 * step after it, also when two instances race one code; recovery codes are single use, also at
 * once on two connections, and a new set voids the old one; a user's factors are listed without
 * secrets and removed one by one, audited, the recovery codes with the last app or passkey.
 */
import assert from 'node:assert/strict';
import { defaults } from '../../src/config/defaults.js';
import { after, before, describe, test } from 'node:test';
import { createChangeLog } from '../../src/audit/change-log.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { openPostgres } from '../../src/db/connect.js';
import type { Db } from '../../src/db/database.js';
import { createRecoveryCodeQueries } from '../../src/db/queries/recovery-codes.js';
import { createTotpFactorQueries } from '../../src/db/queries/totp-factors.js';
import type { PasskeyRow } from '../../src/db/queries/passkeys.js';
import { createPasskeyQueries } from '../../src/db/queries/passkeys.js';
import { LastWayIn } from '../../src/users/ways-in.js';
import { createMfaServices } from '../../src/mfa/mfa-services.js';
import { codeAt } from '../../src/mfa/totp.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices } from '../../src/services.js';
import { dialects } from '../helpers/databases.js';
import { openSharedStorage, raceInThreads, sqliteStatement, type SharedStorage } from '../helpers/sqlite-race.js';
import { pinnedClock } from '../helpers/test-clock.js';

const box = createSecretBox('mfa-factors-test-secret-0123456789-abcdefghij');
const actor: Actor = { kind: 'system', reason: 'test' };
// Half-way through a step, so that one step's drift either way stays within the window.
const clock = pinnedClock(Date.UTC(2026, 11, 8, 12, 0, 15));
const changes = createChangeLog({ clock, ids: randomIds });
const stepNow = () => Math.floor(clock.now() / 30_000);

const mfaOver = (db: Db) => createMfaServices({ db, box, clock, changes });

const passkey = (userId: string, id: string, name: string, createdAt: number): PasskeyRow => ({
  id, user_id: userId, name, public_key: 'cHVibGlj', counter: 0, transports: '["internal"]', device_type: 'multiDevice', backed_up: 1, created_at: createdAt, last_used_at: null,
});

for (const dialect of dialects) {
  describe(`second factors in the database (${dialect})`, () => {
    let shared: SharedStorage;
    let mfa: ReturnType<typeof mfaOver>;
    let db: Db;
    let userCount = 0;

    /** A new user, for a test of its own. */
    const newUser = async () => {
      const services = createServices({ db, box, clock, ids: randomIds, security: defaultSecuritySettings });
      userCount += 1;
      return (await services.users.createUser(actor, { username: `person-${userCount}` })).user.id;
    };
    /** The user's MFA events (the pinned clock gives them one time: their order is not known). */
    const eventsOf = async (userId: string) =>
      (await db.selectFrom('audit_events').select(['type', 'details']).where('user_id', '=', userId).where('type', 'like', 'mfa.%').orderBy('type').execute());
    /** A user with a confirmed app, and its secret. */
    const enrolled = async () => {
      const userId = await newUser();
      const { secret } = await mfa.totp.begin(userId, 'person');
      assert.equal(await mfa.totp.confirm(actor, userId, await codeAt(secret, clock.now() / 1000)), true);
      return { userId, secret };
    };

    before(async () => {
      shared = await openSharedStorage(dialect);
      db = shared.storage.db;
      mfa = mfaOver(db);
    });
    after(() => shared?.close());

    test('setting up an app: a sealed 20-byte secret, the otpauth URI, active only after a right code, audited without it', async () => {
      const userId = await newUser();
      const { secret, uri } = await mfa.totp.begin(userId, 'alice@example.com', 'Acme Login');
      assert.match(secret, /^[A-Z2-7]{32}$/, '20 bytes in base32');
      assert.equal(uri, `otpauth://totp/Acme%20Login:alice%40example.com?secret=${secret}&issuer=Acme%20Login&algorithm=SHA1&digits=6&period=30`);
      const row = await createTotpFactorQueries(db).find(userId);
      assert.ok(row && !row.secret_sealed.includes(secret), 'the secret is sealed at rest');
      assert.equal(box.open(row.secret_sealed, `totp:${userId}`), secret);

      const code = await codeAt(secret, clock.now() / 1000);
      assert.equal(await mfa.totp.verify(userId, code), false, 'not active before it is confirmed');
      assert.equal((await mfa.factors.enrolled(userId)).totp, false);
      assert.equal(await mfa.totp.confirm(actor, userId, code === '000000' ? '111111' : '000000'), false, 'a wrong code');
      assert.equal(await mfa.totp.confirm(actor, userId, `${code.slice(0, 3)} ${code.slice(3)}`), true, 'spaces as the app shows them');
      assert.equal((await mfa.factors.enrolled(userId)).totp, true);
      assert.equal(await mfa.totp.confirm(actor, userId, code), false, 'confirmed once');
      assert.equal(await mfa.totp.verify(userId, code), false, 'the code that confirmed is used');

      const events = await eventsOf(userId);
      assert.deepEqual(events.map((event) => event.type), ['mfa.factor_enrolled']);
      assert.ok(!events.some((event) => event.details.includes(secret) || event.details.includes(code)));
      await assert.rejects(mfa.totp.begin(userId, 'alice@example.com'), { code: 'conflict' }, 'a confirmed app is removed before another');
    });

    test('a set-up goes on with its secret while it is fresh; an older one is replaced and its codes no longer confirm', async () => {
      const userId = await newUser();
      const first = await mfa.totp.begin(userId, 'bob');
      assert.equal((await mfa.totp.begin(userId, 'bob')).secret, first.secret, 'the page shown again shows the same secret');
      clock.advance(defaults.ttl.interaction + 1);
      const second = await mfa.totp.begin(userId, 'bob');
      assert.notEqual(first.secret, second.secret);
      assert.equal(await mfa.totp.confirm(actor, userId, await codeAt(first.secret, clock.now() / 1000)), false);
      assert.equal(await mfa.totp.confirm(actor, userId, await codeAt(second.secret, clock.now() / 1000)), true);
    });

    test('each code once, and only steps after the last: one step of drift each way', async () => {
      const { userId, secret } = await enrolled();
      const at = (seconds: number) => codeAt(secret, clock.now() / 1000 + seconds);
      clock.advance(30);
      const current = await at(0);
      assert.equal(await mfa.totp.verify(userId, current), true);
      assert.equal(await mfa.totp.verify(userId, current), false, 'the replay');
      assert.equal(await mfa.totp.verify(userId, await at(-30)), false, 'an earlier step than the last used');
      assert.equal(await mfa.totp.verify(userId, await at(30)), true, 'the next step, a fast phone');
      assert.equal(await mfa.totp.verify(userId, await at(30)), false);
      clock.advance(120);
      assert.equal(await mfa.totp.verify(userId, await at(-60)), false, 'two steps back is too old');
      assert.equal(await mfa.totp.verify(userId, await at(60)), false, 'two steps ahead is too new');
      assert.equal(await mfa.totp.verify(userId, await at(-30)), true, 'one step back, a slow phone');
      assert.equal(await mfa.totp.verify(userId, 'abcdef'), false, 'not a code at all');
      const row = await createTotpFactorQueries(db).find(userId);
      assert.deepEqual([row?.last_time_step, row?.last_used_at], [stepNow() - 1, clock.now()]);
    });

    test('ten sign-ins race one code: exactly one is accepted', async () => {
      const { userId, secret } = await enrolled();
      clock.advance(30);
      const code = await codeAt(secret, clock.now() / 1000);
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => mfa.totp.verify(userId, code)));
      assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
    });

    if (dialect === 'postgres') {
      test('two instances (two pools) race each code of ten steps: exactly one acceptance per step', async () => {
        const second = openPostgres(shared.postgresDatabaseUrl!);
        try {
          const other = mfaOver(second.db);
          const { userId, secret } = await enrolled();
          for (let round = 0; round < 10; round += 1) {
            clock.advance(30);
            const code = await codeAt(secret, clock.now() / 1000);
            const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? mfa : other).totp.verify(userId, code)));
            assert.equal(outcomes.filter(Boolean).length, 1, `step ${round}: ${JSON.stringify(outcomes)}`);
          }
          // Both read the row before either wrote: the conditional update alone decides.
          const step = stepNow() + 1;
          const racing = await Promise.all([createTotpFactorQueries(db), createTotpFactorQueries(second.db)].map((queries) => queries.recordUse(userId, { step, now: clock.now() })));
          assert.deepEqual(racing.filter(Boolean).length, 1);
        } finally {
          await second.close();
        }
      });
    } else {
      test('eight threads with their own connections admit one step at once: exactly one changes the row', async () => {
        const { userId } = await enrolled();
        const statement = await sqliteStatement((handle) => createTotpFactorQueries(handle).recordUse(userId, { step: stepNow() + 1, now: clock.now() }));
        const outcomes = await raceInThreads(shared.sqliteFile!, Array.from({ length: 8 }, () => statement));
        assert.equal(outcomes.filter(Boolean).length, 1, JSON.stringify(outcomes));
      });
    }

    test('recovery codes: ten, shown once as XXXX-XXXX-XXXX, stored as keyed hashes, each usable once', async () => {
      const userId = await newUser();
      const codes = await mfa.recoveryCodes.generate(actor, userId);
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      for (const code of codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      const stored = await db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', userId).execute();
      assert.equal(stored.length, 10);
      for (const { code_hash: hash } of stored) assert.match(hash, /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(stored).includes(codes[0]!.replace(/-/g, '')));

      assert.deepEqual(await mfa.recoveryCodes.use(userId, codes[0]!), { used: true, remaining: 9 });
      assert.deepEqual(await mfa.recoveryCodes.use(userId, codes[0]!), { used: false, remaining: 9 }, 'single use');
      // As typed from paper: lower case, no dashes, spaces, O for 0 and l for 1.
      const typed = codes[1]!.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
      assert.deepEqual(await mfa.recoveryCodes.use(userId, ` ${typed} `), { used: true, remaining: 8 });
      assert.deepEqual(await mfa.recoveryCodes.use(userId, 'not a code'), { used: false, remaining: 8 });
      const otherUser = await newUser();
      assert.deepEqual(await mfa.recoveryCodes.use(otherUser, codes[2]!), { used: false, remaining: 0 }, 'another user\'s code is nothing');
      assert.equal(await mfa.recoveryCodes.remaining(userId), 8);

      const events = await eventsOf(userId);
      assert.deepEqual(events.map((event) => [event.type, JSON.parse(event.details)]), [['mfa.recovery_codes_generated', { count: 10 }]]);
      assert.ok(!events.some((event) => codes.some((code) => event.details.includes(code) || event.details.includes(code.replace(/-/g, '')))));
    });

    test('a new set voids the old one', async () => {
      const userId = await newUser();
      const old = await mfa.recoveryCodes.generate(actor, userId);
      await mfa.recoveryCodes.use(userId, old[0]!);
      const fresh = await mfa.recoveryCodes.generate(actor, userId);
      assert.equal(await mfa.recoveryCodes.remaining(userId), 10);
      assert.deepEqual(await mfa.recoveryCodes.use(userId, old[1]!), { used: false, remaining: 10 });
      assert.deepEqual(await mfa.recoveryCodes.use(userId, fresh[1]!), { used: true, remaining: 9 });
    });

    test('one recovery code used by ten sign-ins at once: exactly one succeeds', async () => {
      const userId = await newUser();
      const [code] = await mfa.recoveryCodes.generate(actor, userId);
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => mfa.recoveryCodes.use(userId, code!)));
      assert.equal(outcomes.filter((outcome) => outcome.used).length, 1, JSON.stringify(outcomes));
      if (dialect === 'postgres') {
        const second = openPostgres(shared.postgresDatabaseUrl!);
        try {
          const [another] = await mfa.recoveryCodes.generate(actor, userId);
          const pools = [mfa, mfaOver(second.db)];
          const raced = await Promise.all(Array.from({ length: 10 }, (_, i) => pools[i % 2]!.recoveryCodes.use(userId, another!)));
          assert.equal(raced.filter((outcome) => outcome.used).length, 1, JSON.stringify(raced));
        } finally {
          await second.close();
        }
      } else {
        await mfa.recoveryCodes.generate(actor, userId);
        const { code_hash: hash } = (await db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', userId).execute())[0]!;
        const statement = await sqliteStatement((handle) => createRecoveryCodeQueries(handle).use(userId, hash));
        const raced = await raceInThreads(shared.sqliteFile!, Array.from({ length: 8 }, () => statement));
        assert.equal(raced.filter(Boolean).length, 1, JSON.stringify(raced));
      }
    });

    test('a user\'s factors: the confirmed app, each passkey, the recovery codes while any remain; never a secret', async () => {
      const { userId, secret } = await enrolled();
      const confirmedAt = clock.now();
      await createPasskeyQueries(db).insert(passkey(userId, 'cred-A', 'Laptop', confirmedAt + 1));
      await createPasskeyQueries(db).insert({ ...passkey(userId, 'cred-B', 'YubiKey', confirmedAt + 2), device_type: 'singleDevice', backed_up: 0, last_used_at: confirmedAt + 3 });
      const codes = await mfa.recoveryCodes.generate(actor, userId);
      await mfa.recoveryCodes.use(userId, codes[0]!);
      const listed = await mfa.factors.list(userId);
      assert.deepEqual(listed, [
        { id: 'totp', type: 'totp', name: 'Authenticator app', createdAt: confirmedAt, lastUsedAt: null },
        { id: 'cred-A', type: 'passkey', name: 'Laptop', createdAt: confirmedAt + 1, lastUsedAt: null, deviceType: 'multiDevice', backedUp: true },
        { id: 'cred-B', type: 'passkey', name: 'YubiKey', createdAt: confirmedAt + 2, lastUsedAt: confirmedAt + 3, deviceType: 'singleDevice', backedUp: false },
        { id: 'recovery-codes', type: 'recovery_codes', name: 'Recovery codes', createdAt: clock.now(), lastUsedAt: null, remaining: 9 },
      ]);
      assert.ok(!JSON.stringify(listed).includes(secret));
      assert.deepEqual(await mfa.factors.enrolled(userId), { totp: true, passkeys: 2, recoveryCodes: 9 });

      const settingUp = await newUser();
      await mfa.totp.begin(settingUp, 'someone');
      assert.deepEqual(await mfa.factors.list(settingUp), [], 'an app being set up is not a factor yet');
      assert.deepEqual(await mfa.factors.enrolled(settingUp), { totp: false, passkeys: 0, recoveryCodes: 0 });
      await assert.rejects(mfa.factors.remove(actor, settingUp, 'totp'), { code: 'not_found' });
    });

    test('removing factors one by one, each audited; the last app or passkey takes the recovery codes with it', async () => {
      const { userId } = await enrolled();
      await createPasskeyQueries(db).insert(passkey(userId, 'cred-C', 'Phone', clock.now()));
      await mfa.recoveryCodes.generate(actor, userId);
      await assert.rejects(mfa.factors.remove(actor, userId, 'no-such-credential'), { code: 'not_found' });
      await assert.rejects(mfa.factors.remove(actor, 'no-such-user', 'totp'), { code: 'user_not_found' });

      await mfa.factors.remove(actor, userId, 'totp');
      assert.deepEqual(await mfa.factors.enrolled(userId), { totp: false, passkeys: 1, recoveryCodes: 10 }, 'a passkey is left: the codes stay');
      await mfa.factors.remove(actor, userId, 'cred-C');
      assert.deepEqual(await mfa.factors.enrolled(userId), { totp: false, passkeys: 0, recoveryCodes: 0 });
      assert.deepEqual(await mfa.factors.list(userId), []);
      await assert.rejects(mfa.factors.remove(actor, userId, 'recovery-codes'), { code: 'not_found' });

      const removals = (await eventsOf(userId)).filter((event) => event.type === 'mfa.factor_removed').map((event) => JSON.parse(event.details) as Record<string, unknown>);
      assert.deepEqual(removals.sort((a, b) => String(a.factor).localeCompare(String(b.factor))), [
        { factor: 'passkey', factor_id: 'cred-C', name: 'Phone', recovery_codes_voided: 10 },
        { factor: 'totp', factor_id: 'totp', name: 'Authenticator app' },
      ]);

      const another = await newUser();
      await mfa.recoveryCodes.generate(actor, another);
      await mfa.factors.remove(actor, another, 'recovery-codes');
      assert.equal(await mfa.recoveryCodes.remaining(another), 0);
    });

    test('keepOne: the last factor stays, whole, also when its last two are removed at the same moment', async () => {
      const { userId } = await enrolled();
      await createPasskeyQueries(db).insert(passkey(userId, 'cred-K', 'Key', clock.now()));
      await mfa.recoveryCodes.generate(actor, userId);
      const outcomes = await Promise.allSettled([
        mfa.factors.remove(actor, userId, 'totp', { keepOne: true }),
        mfa.factors.remove(actor, userId, 'cred-K', { keepOne: true }),
      ]);
      assert.deepEqual(outcomes.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected'], 'one removal, one refusal');
      assert.equal((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason.code, 'conflict');
      const left = await mfa.factors.enrolled(userId);
      assert.equal(Number(left.totp) + left.passkeys, 1, 'one factor left');
      assert.equal(left.recoveryCodes, 10, 'and its recovery codes');
      assert.equal((await eventsOf(userId)).filter((event) => event.type === 'mfa.factor_removed').length, 1, 'the refused removal recorded nothing');
    });

    test('keepWayIn: a passwordless user keeps a passkey while it is their last way in, also against two removals at once', async () => {
      const userId = await newUser();
      await createPasskeyQueries(db).insert(passkey(userId, 'cred-W1', 'Phone', clock.now()));
      await createPasskeyQueries(db).insert(passkey(userId, 'cred-W2', 'Laptop', clock.now()));
      const outcomes = await Promise.allSettled([
        mfa.factors.remove(actor, userId, 'cred-W1', { keepWayIn: true }),
        mfa.factors.remove(actor, userId, 'cred-W2', { keepWayIn: true }),
      ]);
      assert.deepEqual(outcomes.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected'], 'one removal, one refusal');
      assert.ok((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason instanceof LastWayIn);
      assert.equal((await mfa.factors.enrolled(userId)).passkeys, 1, 'one passkey left');
      const services = createServices({ db, box, clock, ids: randomIds, security: defaultSecuritySettings });
      await services.users.setPassword(actor, userId, 'a long passphrase nobody guesses');
      const [last] = (await createPasskeyQueries(db).listOf(userId)).map((row) => row.id);
      await mfa.factors.remove(actor, userId, last!, { keepWayIn: true });
      assert.equal((await mfa.factors.enrolled(userId)).passkeys, 0, 'with a password, the last passkey goes');
    });
  });
}
