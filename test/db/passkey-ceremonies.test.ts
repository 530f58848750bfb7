/*
 * The WebAuthn ceremonies over a real database, on every dialect, answered by a software
 * authenticator (test/helpers/soft-authenticator.ts): registration stores the credential with
 * its audit event; each challenge is used once, for its interaction, user and purpose; user
 * verification is required where asked; a counter that goes backwards, and a second use racing
 * on the same counter, are refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createChangeLog } from '../../src/audit/change-log.js';
import { defaultSecuritySettings } from '../../src/config/security-settings.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import type { Db } from '../../src/db/database.js';
import { isGatehouseError } from '../../src/errors/gatehouse-error.js';
import { createPasskeyQueries } from '../../src/db/queries/passkeys.js';
import { passkeyOf } from '../../src/mfa/passkey.js';
import { createPasskeyCeremonies, relyingPartyOf, webauthnChallengeSeconds, type PasskeyCeremonies } from '../../src/mfa/passkey-ceremonies.js';
import type { Actor } from '../../src/runtime/actor.js';
import { randomIds } from '../../src/runtime/ids.js';
import { createServices } from '../../src/services.js';
import { dialects } from '../helpers/databases.js';
import { softAuthenticator, type SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { openSharedStorage, type SharedStorage } from '../helpers/sqlite-race.js';
import { pinnedClock } from '../helpers/test-clock.js';

const clock = pinnedClock(Date.UTC(2026, 11, 8, 12));
const box = createSecretBox('passkey-ceremonies-test-secret-0123456789-abc');
const rp = relyingPartyOf(new URL('https://id.example.test'));

/** Rejects with passkey_invalid (or the code given) and a message matching `message`. */
async function refused(call: Promise<unknown>, message: RegExp, code = 'passkey_invalid'): Promise<void> {
  await assert.rejects(call, (error) => isGatehouseError(error) && error.code === code && message.test(error.message) && (code !== 'passkey_invalid' || error.cause instanceof Error));
}

for (const dialect of dialects) {
  describe(`passkey ceremonies (${dialect})`, () => {
    let shared: SharedStorage;
    let db: Db;
    /** What the security page and the API list: the user's passkeys, oldest first. */
    const passkeysOf = async (userId: string) => (await createPasskeyQueries(db).listOf(userId)).map(passkeyOf);
    let ceremonies: PasskeyCeremonies;
    let people = 0;
    before(async () => {
      shared = await openSharedStorage(dialect);
      db = shared.storage.db;
      ceremonies = createPasskeyCeremonies({ db, clock, changes: createChangeLog({ clock, ids: randomIds }), relyingParty: () => rp });
    });
    after(() => shared?.close());

    const newUser = async () => {
      people += 1;
      const services = createServices({ db, box, clock, ids: randomIds, security: defaultSecuritySettings });
      const { user } = await services.users.createUser({ kind: 'system', reason: 'test' }, { username: `keyholder-${people}` });
      return { id: user.id, username: user.username, displayName: `Key Holder ${people}` };
    };
    /** A user with one registered passkey, made in interaction `uid`. */
    const registered = async (uid = 'uid-reg') => {
      const user = await newUser();
      const authenticator = softAuthenticator({ rpId: rp.id, origin: rp.origin });
      const options = await ceremonies.registrationOptions({ user, bindTo: uid });
      const actor: Actor = { kind: 'user', userId: user.id };
      const added = await ceremonies.register({ actor, userId: user.id, bindTo: uid, response: JSON.stringify(authenticator.register(options)) });
      return { user, authenticator, added, actor };
    };
    const signIn = async (authenticator: SoftAuthenticator, uid: string, answer: { userVerified?: boolean; counter?: number } = {}, userId?: string) => {
      const options = await ceremonies.authenticationOptions({ bindTo: uid, ...(userId ? { userId } : {}) });
      return ceremonies.authenticate({ bindTo: uid, response: authenticator.authenticate(options, answer), ...(userId ? { userId } : {}), requireUserVerification: userId === undefined });
    };

    test('registration options: a discoverable credential, the user verified, no attestation, ES256 and RS256, the challenge stored for its interaction', async () => {
      const { user, authenticator } = await registered();
      const options = await ceremonies.registrationOptions({ user, bindTo: 'uid-options' });
      assert.deepEqual(options.rp, { id: 'id.example.test', name: 'Gatehouse' });
      assert.deepEqual(options.authenticatorSelection, { residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
      assert.equal(options.attestation, 'none');
      assert.deepEqual(options.pubKeyCredParams.map((p) => p.alg), [-7, -257]);
      assert.deepEqual(options.excludeCredentials?.map((c) => c.id), [authenticator.credentialId], 'the same authenticator is not registered twice');
      assert.equal(Buffer.from(options.user.id, 'base64url').toString(), user.id);
      const stored = await db.selectFrom('webauthn_challenges').selectAll().where('challenge', '=', options.challenge).executeTakeFirstOrThrow();
      assert.equal(Buffer.from(stored.challenge, 'base64url').length, 32);
      assert.deepEqual([stored.purpose, stored.bound_to, stored.user_id, stored.expires_at], ['registration', 'uid-options', user.id, clock.now() + webauthnChallengeSeconds * 1000]);
    });

    test('a registration stores the credential and its mfa.factor_enrolled event, with a default name', async () => {
      const { user, authenticator, added } = await registered();
      assert.deepEqual(added, { id: authenticator.credentialId, name: 'Passkey (8 Dec 2026)', deviceType: 'singleDevice' });
      const row = await db.selectFrom('passkeys').selectAll().where('id', '=', added.id).executeTakeFirstOrThrow();
      assert.deepEqual([row.user_id, row.counter, row.transports, row.device_type, row.backed_up, row.created_at], [user.id, 0, '["internal"]', 'singleDevice', 0, clock.now()]);
      const events = await db.selectFrom('audit_events').select(['type', 'details']).where('user_id', '=', user.id).where('type', 'like', 'mfa.%').execute();
      assert.deepEqual(events.map((event) => [event.type, JSON.parse(event.details)]), [['mfa.factor_enrolled', { factor: 'passkey', factor_id: added.id, name: added.name }]]);
      assert.deepEqual((await passkeysOf(user.id)).map((p) => [p.id, p.name, p.deviceType, p.backedUp, p.lastUsedAt]), [[added.id, added.name, 'singleDevice', false, null]]);
    });

    test('a registration is refused with its challenge used, for another interaction or user, without user verification, from another origin, or twice', async () => {
      const user = await newUser();
      const actor: Actor = { kind: 'user', userId: user.id };
      const authenticator = softAuthenticator({ rpId: rp.id, origin: rp.origin });
      const attempt = async (bindTo: string, answer: Parameters<SoftAuthenticator['register']>[1] = {}, as = user.id) => {
        const options = await ceremonies.registrationOptions({ user, bindTo: 'uid-a' });
        return ceremonies.register({ actor, userId: as, bindTo, response: authenticator.register(options, answer) });
      };
      await refused(attempt('uid-b'), /expired or was already used/);
      await refused(attempt('uid-a', {}, (await newUser()).id), /expired or was already used/);
      await refused(attempt('uid-a', { userVerified: false }), /did not confirm it was you/);
      await refused(attempt('uid-a', { origin: 'https://phish.example' }), /could not be verified/);
      await refused(ceremonies.register({ actor, userId: user.id, bindTo: 'uid-a', response: '{not json' }), /can read/);
      assert.equal((await passkeysOf(user.id)).length, 0, 'nothing stored');

      const options = await ceremonies.registrationOptions({ user, bindTo: 'uid-a' });
      const answer = authenticator.register(options);
      // A bad name is refused before the challenge is used: the same answer then goes through.
      await refused(ceremonies.register({ actor, userId: user.id, bindTo: 'uid-a', response: answer, name: 'x'.repeat(101) }), /1 to 100 characters/, 'invalid_request');
      assert.equal((await ceremonies.register({ actor, userId: user.id, bindTo: 'uid-a', response: answer, name: '  Work laptop ' })).name, 'Work laptop');
      await refused(ceremonies.register({ actor, userId: user.id, bindTo: 'uid-a', response: answer }), /expired or was already used/, 'passkey_invalid');
      await refused(attempt('uid-a'), /already registered/);
    });

    test('authentication options: any discoverable credential with the user verified, or the user\'s own passkeys for a second factor', async () => {
      const { user, authenticator } = await registered();
      const passwordless = await ceremonies.authenticationOptions({ bindTo: 'uid-auth' });
      assert.equal(passwordless.userVerification, 'required');
      assert.equal(passwordless.allowCredentials, undefined);
      assert.equal(passwordless.rpId, 'id.example.test');
      const second = await ceremonies.authenticationOptions({ bindTo: 'uid-auth', userId: user.id });
      assert.equal(second.userVerification, 'preferred');
      assert.deepEqual(second.allowCredentials?.map((c) => [c.id, c.transports]), [[authenticator.credentialId, ['internal']]]);
      await refused(ceremonies.authenticationOptions({ bindTo: 'uid-auth', userId: (await newUser()).id }), /no passkey registered/);
    });

    test('passwordless: the passkey names its user; the counter and the time of use are stored; the challenge is used once', async () => {
      const { user, authenticator } = await registered();
      const options = await ceremonies.authenticationOptions({ bindTo: 'uid-pl' });
      const answer = authenticator.authenticate(options);
      assert.deepEqual(await ceremonies.authenticate({ bindTo: 'uid-pl', response: JSON.stringify(answer), requireUserVerification: true }),
        { userId: user.id, passkeyId: authenticator.credentialId, userVerified: true, deviceType: 'singleDevice' });
      const row = await db.selectFrom('passkeys').select(['counter', 'last_used_at']).where('id', '=', authenticator.credentialId).executeTakeFirstOrThrow();
      assert.deepEqual([row.counter, row.last_used_at], [1, clock.now()]);
      await refused(ceremonies.authenticate({ bindTo: 'uid-pl', response: answer, requireUserVerification: true }), /expired or was already used/);
    });

    test('refused: no user verification where required, another interaction, another user\'s passkey, an unknown one, an expired challenge', async () => {
      const { user, authenticator } = await registered();
      await refused(signIn(authenticator, 'uid-x', { userVerified: false }), /did not confirm it was you/);
      assert.equal((await signIn(authenticator, 'uid-x', { userVerified: false }, user.id)).userVerified, false, 'as a second factor, verification is preferred, not required');

      const options = await ceremonies.authenticationOptions({ bindTo: 'uid-x' });
      await refused(ceremonies.authenticate({ bindTo: 'uid-y', response: authenticator.authenticate(options), requireUserVerification: true }), /expired or was already used/);
      const other = await newUser();
      const mine = await ceremonies.authenticationOptions({ bindTo: 'uid-x', userId: user.id });
      await refused(ceremonies.authenticate({ bindTo: 'uid-x', response: authenticator.authenticate(mine), userId: other.id, requireUserVerification: false }), /expired or was already used/); // a challenge made for another user
      const { user: holder } = await registered('uid-x');
      const theirs = await ceremonies.authenticationOptions({ bindTo: 'uid-x', userId: holder.id });
      await refused(ceremonies.authenticate({ bindTo: 'uid-x', response: authenticator.authenticate(theirs), userId: holder.id, requireUserVerification: false }), /not registered here/);
      const stranger = softAuthenticator({ rpId: rp.id, origin: rp.origin });
      await refused(signIn(stranger, 'uid-x'), /not registered here/);

      const late = await ceremonies.authenticationOptions({ bindTo: 'uid-x' });
      clock.advance(webauthnChallengeSeconds);
      await refused(ceremonies.authenticate({ bindTo: 'uid-x', response: authenticator.authenticate(late), requireUserVerification: true }), /expired or was already used/);
    });

    test('a counter that goes backwards is refused, and two answers racing on one counter value pass once', async () => {
      const { authenticator } = await registered();
      await signIn(authenticator, 'uid-c', { counter: 5 });
      await refused(signIn(authenticator, 'uid-c', { counter: 4 }), /could not be verified/);
      await refused(signIn(authenticator, 'uid-c', { counter: 5 }), /could not be verified/); // the same counter again

      // Two sign-ins that both read counter 5 before either wrote: the conditional update lets one through.
      const [first, second] = await Promise.all([1, 2].map(() => ceremonies.authenticationOptions({ bindTo: 'uid-c' })));
      const answers = [authenticator.authenticate(first!, { counter: 6 }), authenticator.authenticate(second!, { counter: 6 })];
      const outcomes = await Promise.allSettled(answers.map((response) => ceremonies.authenticate({ bindTo: 'uid-c', response, requireUserVerification: true })));
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, JSON.stringify(outcomes));
    });

    test('renamed by their owner only, 1 to 100 characters', async () => {
      const { user, added } = await registered();
      assert.equal((await ceremonies.rename(user.id, added.id, '  Phone  ')).name, 'Phone');
      await refused(ceremonies.rename(user.id, added.id, '   '), /1 to 100 characters/, 'invalid_request');
      await refused(ceremonies.rename(user.id, added.id, 'two\nlines'), /1 to 100 characters/, 'invalid_request');
      await refused(ceremonies.rename((await newUser()).id, added.id, 'Mine'), /No such passkey/, 'not_found');
      assert.equal((await passkeysOf(user.id))[0]?.name, 'Phone');
    });
  });
}
