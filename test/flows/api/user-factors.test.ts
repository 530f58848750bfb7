/*
 * Second factors and the MFA policy through the management API, over HTTP with a machine token,
 * on every dialect: a user's factors are listed without secrets and removed one by one, each
 * removal audited under the caller, the last app or passkey taking the recovery codes with it;
 * the policy is read and changed, bad input naming its fields, and refused with 409 while the
 * configuration file declares `mfa:`, until a file without it hands it back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPasskeyQueries } from '../../../src/db/queries/passkeys.js';
import { codeAt } from '../../../src/mfa/totp.js';
import type { Actor } from '../../../src/runtime/actor.js';
import { dialects } from '../../helpers/databases.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { alice } from '../../helpers/people.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { pinnedClock } from '../../helpers/test-clock.js';

const declarations = { applications: [automation], users: [{ username: alice.username, password: alice.password }] };
const system: Actor = { kind: 'system', reason: 'test' };
const paths = (body: { details?: Array<{ path: string }> }) => (body.details ?? []).map((detail) => detail.path).sort();

for (const dialect of dialects) {
  describe(`second factors and the MFA policy through the management API (${dialect})`, () => {
    const clock = pinnedClock();
    let server: TestServer;
    let api: ApiClient;

    const mfaEvents = async (type: string) => {
      await server.audit.flush();
      return server.services.deps.db.selectFrom('audit_events').select(['actor_kind', 'actor_id', 'user_id', 'details']).where('type', '=', type).execute();
    };

    before(async () => {
      server = await startServer({ declarations, dialect, clock });
      api = apiClient(server, await machineToken(server));
    });
    after(() => server?.close());

    test('a user\'s factors are listed without secrets, and removed one by one, each audited; the last takes the recovery codes', async () => {
      const { mfa, users, deps } = server.services;
      const userId = (await users.findByUsername(alice.username))!.id;
      assert.deepEqual((await api.get(`/users/${userId}/factors`)).body, { items: [] });

      const { secret } = await mfa.totp.begin(userId, alice.username);
      assert.equal(await mfa.totp.confirm(system, userId, await codeAt(secret, clock.now() / 1000)), true);
      const confirmedAt = new Date(clock.now()).toISOString();
      clock.advance(1);
      await createPasskeyQueries(deps.db).insert({
        id: 'Y3JlZGVudGlhbC1pZA', user_id: userId, name: 'Laptop', public_key: 'cHVibGlj', counter: 3, transports: '["internal"]',
        device_type: 'multiDevice', backed_up: 1, created_at: clock.now(), last_used_at: clock.now(),
      });
      const passkeyAt = new Date(clock.now()).toISOString();
      const codes = await mfa.recoveryCodes.generate(system, userId);

      const listed = await api.get(`/users/${userId}/factors`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.deepEqual(listed.body, { items: [
        { id: 'totp', type: 'totp', name: 'Authenticator app', created_at: confirmedAt, last_used_at: null },
        { id: 'Y3JlZGVudGlhbC1pZA', type: 'passkey', name: 'Laptop', created_at: passkeyAt, last_used_at: passkeyAt, device_type: 'multiDevice', backed_up: true },
        { id: 'recovery-codes', type: 'recovery_codes', name: 'Recovery codes', created_at: passkeyAt, last_used_at: null, remaining: 10 },
      ] });
      const text = JSON.stringify(listed.body);
      assert.ok(!text.includes(secret) && !codes.some((code) => text.includes(code)), 'no secret, no code');

      assert.equal((await api.delete(`/users/${userId}/factors/Y3JlZGVudGlhbC1pZA`)).status, 204);
      const again = await api.delete(`/users/${userId}/factors/Y3JlZGVudGlhbC1pZA`);
      assert.deepEqual([again.status, again.body.code], [404, 'not_found']);
      const nobody = await api.get('/users/no-such-user/factors');
      assert.deepEqual([nobody.status, nobody.body.code], [404, 'user_not_found']);
      assert.deepEqual([(await api.delete('/users/no-such-user/factors/totp')).body.code], ['user_not_found']);
      assert.deepEqual((await api.get(`/users/${userId}/factors`)).body.items.map((item: { id: string }) => item.id), ['totp', 'recovery-codes']);

      assert.equal((await api.delete(`/users/${userId}/factors/totp`)).status, 204);
      assert.deepEqual((await api.get(`/users/${userId}/factors`)).body, { items: [] }, 'the recovery codes went with the last factor');
      assert.deepEqual(await mfa.recoveryCodes.use(userId, codes[0]!), { used: false, remaining: 0 });

      const removals = await mfaEvents('mfa.factor_removed');
      assert.deepEqual(removals.map((event) => [event.actor_kind, event.actor_id, event.user_id, JSON.parse(event.details)]).sort((a, b) => String(a[3].factor).localeCompare(String(b[3].factor))), [
        ['api', 'client:automation', userId, { factor: 'passkey', factor_id: 'Y3JlZGVudGlhbC1pZA', name: 'Laptop' }],
        ['api', 'client:automation', userId, { factor: 'totp', factor_id: 'totp', name: 'Authenticator app', recovery_codes_voided: 10 }],
      ]);
    });

    test('the MFA policy is read and changed, each change audited; bad input names each field', async () => {
      assert.deepEqual((await api.get('/settings/mfa')).body, { policy: 'optional', require_for_administrators: null, administrators_required: false, owner: 'database' });
      const changed = await api.put('/settings/mfa', { policy: 'required', require_for_administrators: true });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual(changed.body, { policy: 'required', require_for_administrators: true, administrators_required: true, owner: 'database' });
      assert.deepEqual((await api.get('/settings/mfa')).body, changed.body);
      assert.equal((await api.put('/settings/mfa', {})).status, 200, 'nothing named, nothing changed');

      const refused = await api.put('/settings/mfa', { policy: 'sometimes', require_for_administrators: 'yes', colour: 'red' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'invalid_request');
      assert.deepEqual(paths(refused.body), ['body.colour', 'body.policy', 'body.require_for_administrators']);

      assert.equal((await api.put('/settings/mfa', { policy: 'optional', require_for_administrators: null })).status, 200);
      const events = await mfaEvents('mfa.settings_changed');
      assert.equal(events.length, 2, 'two changes; the empty one and the refused one recorded nothing');
      assert.ok(events.every((event) => event.actor_id === 'client:automation'));
    });

    test('while the configuration file declares mfa:, the API shows it and refuses a change (409); a file without it hands it back', async () => {
      await server.restart({ declarations: { ...declarations, mfa: { policy: 'required' } } });
      api = apiClient(server, await machineToken(server));
      assert.deepEqual((await api.get('/settings/mfa')).body, { policy: 'required', require_for_administrators: null, administrators_required: false, owner: 'config_file' });
      const refused = await api.put('/settings/mfa', { policy: 'off' });
      assert.deepEqual([refused.status, refused.body.code], [409, 'declared_in_config_file']);

      await server.restart({ declarations });
      api = apiClient(server, await machineToken(server));
      assert.deepEqual((await api.get('/settings/mfa')).body, { policy: 'required', require_for_administrators: null, administrators_required: false, owner: 'database' }, 'the values stay');
      assert.equal((await api.put('/settings/mfa', { policy: 'optional' })).body.policy, 'optional');
    });
  });
}
