/*
 * Sign-ins through connections in the audit log: upstream OpenID Connect providers and their
 * refusals with the failure page's code, partners' signed JWTs and their refusals with the
 * token's reason and what exactly failed, never the token.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { expectPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { oidcConnection } from '../connections/fixtures.js';
import { Person as UpstreamPerson, refusedThrough, signInThrough, startWorld as startUpstreamWorld, type World as UpstreamWorld } from '../connections/steps.js';
import { jwtConnection, portalSecret } from '../jwt-sso/fixtures.js';
import { departThroughButton, partnerToken, Person as PartnerPerson, signInWith, startWorld as startPartnerWorld, type World as PartnerWorld } from '../jwt-sso/steps.js';
import { eventsOf, oneEventOf, wholeTableAsText } from './steps.js';

for (const dialect of dialects) {
  describe(`upstream providers' sign-ins in the audit log (${dialect})`, () => {
    let world: UpstreamWorld;

    before(async () => {
      world = await startUpstreamWorld({
        dialect,
        connections: (upstream) => [
          oidcConnection('okta', upstream.discoveryUrl, { name: 'Corp Okta' }),
          oidcConnection('directory', upstream.discoveryUrl, { name: 'Corp Directory', provisioning: 'existing_users_only' }),
        ],
      });
    });
    after(() => world?.close());

    test('a first sign-in: the user created by Gatehouse for the connection, then sign_in.succeeded through it', async () => {
      const added = await eventsOf(world.server, () => signInThrough(world, new UpstreamPerson(world), 'okta', 'ann'));
      const ann = (await world.server.services.users.findByUsername('ann'))!;
      const created = added.find((event) => event.type === 'user.created')!;
      assert.deepEqual([created.actor_kind, created.user_id], ['system', ann.id]);
      assert.match(created.actor_id!, /^first sign-in of 00u1ann at http/);
      const linked = added.find((event) => event.type === 'identity.linked')!;
      assert.deepEqual([linked.user_id, linked.connection_id, linked.actor_id, linked.details.subject], [ann.id, 'okta', created.actor_id, '00u1ann']);
      const signedIn = added.find((event) => event.type === 'sign_in.succeeded')!;
      assert.deepEqual(
        { actor: [signedIn.actor_kind, signedIn.actor_id], user: signedIn.user_id, connection: signedIn.connection_id, client: signedIn.client_id, details: signedIn.details },
        { actor: ['user', ann.id], user: ann.id, connection: 'okta', client: 'notes', details: { method: 'oidc', amr: ['fed'] } },
      );
    });

    test('the person cancels at the upstream: sign_in.failed with the page\'s code and what the upstream said', async () => {
      const event = await oneEventOf(world.server, 'sign_in.failed', async () => {
        const person = new UpstreamPerson(world);
        const { url } = await startAuthorization(world.app, 'openid');
        const authorizationRequest = await person.pressConnection(expectPage(await person.open(url)), 'okta');
        expectPage(await person.returnToGatehouse(await person.cancelUpstream(authorizationRequest)));
      });
      assert.deepEqual(
        { reason: event.reason, connection: event.connection_id, actor: event.actor_kind, details: event.details },
        { reason: 'upstream_denied', connection: 'okta', actor: 'anonymous', details: { method: 'oidc', upstream_error: 'access_denied' } },
      );
    });

    test('the connection\'s account rule refuses: account_refused, with the words the person was shown', async () => {
      const event = await oneEventOf(world.server, 'sign_in.failed', () => refusedThrough(world, 'directory', 'ben'));
      assert.deepEqual([event.reason, event.connection_id, event.client_id], ['account_refused', 'directory', 'notes']);
      assert.match(String(event.details.message), /only people who already have an account here may sign in/);
    });

    test('a return with a state nobody gave: detour_unknown', async () => {
      const event = await oneEventOf(world.server, 'sign_in.failed', async () => {
        const answer = await fetch(`${world.server.url}/login/oidc/okta/callback?state=forged-state&code=forged-code`, { headers: { accept: 'text/html' } });
        assert.equal(answer.status, 400);
      });
      assert.deepEqual([event.reason, event.connection_id], ['detour_unknown', 'okta']);
      assert.ok(!(await wholeTableAsText(world.server.services.deps.db)).includes('forged-code'), 'no code is kept');
    });
  });

  describe(`partners' sign-ins in the audit log (${dialect})`, () => {
    let world: PartnerWorld;

    before(async () => {
      world = await startPartnerWorld({ dialect, connections: [jwtConnection('portal')] });
    });
    after(() => world?.close());

    test('a partner\'s token: sign_in.succeeded through the connection', async () => {
      const token = await partnerToken({ sub: 'p-100', email: 'pat@partner.example', given_name: 'Pat' });
      const added = await eventsOf(world.server, () => signInWith(world, 'portal', token));
      const signedIn = added.find((event) => event.type === 'sign_in.succeeded')!;
      const user = (await world.server.services.users.findByIdentifier('pat@partner.example'))!;
      assert.deepEqual([signedIn.user_id, signedIn.connection_id, signedIn.details.method], [user.id, 'portal', 'jwt']);
      assert.ok(!(await wholeTableAsText(world.server.services.deps.db)).includes(token.split('.')[2]!), 'the token is stored nowhere');
    });

    test('a token whose email is an existing user\'s links its sub to that user: identity.linked with Gatehouse acting for the connection, once; unlinking is recorded too', async () => {
      const maria = (await world.server.services.users.findByUsername('maria'))!;
      const token = await partnerToken({ sub: 'p-maria-linked', email: 'maria@partner.example' });
      const linked = await oneEventOf(world.server, 'identity.linked', () => signInWith(world, 'portal', token));
      assert.deepEqual(
        { user: linked.user_id, connection: linked.connection_id, actor: [linked.actor_kind, linked.actor_id], subject: linked.details.subject },
        { user: maria.id, connection: 'portal', actor: ['system', 'sign-in through connection portal'], subject: 'p-maria-linked' },
      );
      assert.equal(typeof linked.details.issuer, 'string');
      const again = await eventsOf(world.server, async () => signInWith(world, 'portal', await partnerToken({ sub: 'p-maria-linked', email: 'maria@partner.example' })), 'identity.linked');
      assert.deepEqual(again, [], 'a sign-in through a link made already records no new one');
      const identity = { issuer: String(linked.details.issuer), subject: 'p-maria-linked' };
      const unlinked = await oneEventOf(world.server, 'identity.unlinked', () => world.server.services.identities.unlink({ kind: 'cli', command: 'test' }, maria.id, identity));
      assert.deepEqual([unlinked.user_id, unlinked.actor_kind, unlinked.details.subject], [maria.id, 'cli', 'p-maria-linked']);
    });

    test('a refused token: sign_in.failed with the token\'s reason and what exactly failed, never the token', async () => {
      const token = await partnerToken({ email: 'late@partner.example', exp: Math.floor(Date.now() / 1000) - 120 });
      const event = await oneEventOf(world.server, 'sign_in.failed', async () => {
        const person = new PartnerPerson(world);
        const { signInUrl } = await departThroughButton(world, person, 'portal');
        expectPage(await person.returnWith(signInUrl, token));
      });
      assert.deepEqual([event.reason, event.connection_id, event.details.method], ['expired', 'portal', 'jwt']);
      assert.match(String(event.details.detail), /exp/);
      const table = await wholeTableAsText(world.server.services.deps.db);
      for (const part of token.split('.')) assert.ok(!table.includes(part), 'no part of the token is stored');
    });

    test('a token whose crit header names a 6,000-character extension is refused, and its event\'s details stay within the bound', async () => {
      // Signed by hand: jose would refuse to sign an unknown critical extension. jose's refusal names it back, which is the detail.
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const signingInput = `${part({ alg: 'HS256', crit: ['x'.repeat(6000)] })}.${part({ sub: 'c' })}`;
      const token = `${signingInput}.${createHmac('sha256', portalSecret).update(signingInput).digest('base64url')}`;
      assert.ok(Buffer.byteLength(token) <= 8 * 1024, 'under the size limit, so that jose reads its header');
      const event = await oneEventOf(world.server, 'sign_in.failed', async () => {
        const person = new PartnerPerson(world);
        const { signInUrl } = await departThroughButton(world, person, 'portal');
        expectPage(await person.returnWith(signInUrl, token));
      });
      const stored = (await world.server.services.deps.db.selectFrom('audit_events').select('details').where('id', '=', event.id).executeTakeFirstOrThrow()).details;
      assert.ok(Buffer.byteLength(stored) <= 2 * 1024, `the details are ${Buffer.byteLength(stored)} bytes`);
      assert.match(String(event.details.detail), /^Extension Header Parameter "x{100}/, 'the start of what jose said is kept');
      assert.ok(String(event.details.detail).length <= 256);
    });

    test('a token used twice: the second is jti_replayed', async () => {
      const token = await partnerToken({ sub: 'p-200', email: 'twice@partner.example' });
      await signInWith(world, 'portal', token);
      const event = await oneEventOf(world.server, 'sign_in.failed', async () => {
        const person = new PartnerPerson(world);
        const { signInUrl } = await departThroughButton(world, person, 'portal');
        expectPage(await person.returnWith(signInUrl, token));
      });
      assert.equal(event.reason, 'jti_replayed');
    });
  });
}
