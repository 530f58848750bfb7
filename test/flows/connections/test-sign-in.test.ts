/*
 * Test connection's sign-in URL (issue 15, point 4): the link in the report signs in through the
 * upstream for real and shows the administrator the claims received and which local account
 * they would map to, creating no session, user or identity link.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectPage, expectRedirect, type Page } from '../../helpers/browser.js';
import { dialects } from '../../helpers/databases.js';
import { ann, kim, oidcConnection } from './fixtures.js';
import { failureOf, linksOf, Person, startWorld, whatExists, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`Test connection's sign-in URL (${dialect})`, () => {
    let world: World;

    before(async () => {
      world = await startWorld({
        dialect,
        connections: (upstream) => [
          oidcConnection('okta', upstream.discoveryUrl),
          oidcConnection('draft', upstream.discoveryUrl, { enabled: false }),
          oidcConnection('directory', upstream.discoveryUrl, { provisioning: 'existing_users_only' }),
        ],
      });
    });
    after(() => world?.close());

    async function signInUrlOf(connectionId: string): Promise<URL> {
      const report = await world.server.services.connections.testConnection(connectionId);
      assert.equal(report.ok, true, JSON.stringify(report.checks));
      assert.ok(report.signInUrl, 'the report carries the sign-in URL');
      return new URL(report.signInUrl);
    }

    /** The administrator opens the link and signs in upstream as `username`: the result page. */
    async function testAs(person: Person, signInUrl: URL, username: string): Promise<Page> {
      const authorizationRequest = new URL(expectRedirect(await person.open(signInUrl)));
      assert.equal(authorizationRequest.origin, world.upstream.origin);
      return expectPage(await person.returnToGatehouse(await person.signInUpstream(authorizationRequest, username)));
    }

    const claimsShown = (page: Page) => Object.fromEntries(page.document.querySelectorAll('table.claims tr').map((row) => [row.querySelector('th')?.text.trim(), row.querySelector('td')?.text.trim()]));

    test('the round trip shows the claims and that a new account would be created, and creates nothing', async () => {
      const before = await whatExists(world.server);
      const signInUrl = await signInUrlOf('okta');
      assert.equal(`${signInUrl.origin}${signInUrl.pathname}`, `${new URL(world.server.issuer).origin}/login/oidc/okta/test`);
      const page = await testAs(new Person(world), signInUrl, 'ann');
      assert.equal(page.status, 200);
      assert.match(page.document.querySelector('h1')?.text ?? '', /Corp okta: the sign-in works/);
      const claims = claimsShown(page);
      assert.equal(claims.sub, JSON.stringify(ann.sub));
      assert.equal(claims.preferred_username, '"ann"');
      assert.equal(claims.email, JSON.stringify(ann.email));
      assert.equal(claims.groups, JSON.stringify(ann.groups));
      assert.match(page.body, /Would create the account &quot;ann&quot;/);
      assert.deepEqual(await whatExists(world.server), before, 'no user, identity link or session');
      assert.equal(await world.server.services.users.findByUsername('ann'), undefined);
      assert.deepEqual(await linksOf(world.server, ann.sub), []);
    });

    test('an upstream user matching a local account is shown the account it would sign in to, still linking nothing', async () => {
      const page = await testAs(new Person(world), await signInUrlOf('directory'), 'kim');
      assert.match(page.body, /Would sign in as the existing account &quot;kim&quot; \(same user name\)/);
      assert.deepEqual(await linksOf(world.server, kim.sub), []);
    });

    test('under just-in-time provisioning the same match is shown as refused: an existing account is not handed over', async () => {
      const page = await testAs(new Person(world), await signInUrlOf('okta'), 'kim');
      assert.match(page.body, /An account named &quot;kim&quot; exists here already and is not linked/);
      assert.deepEqual(await linksOf(world.server, kim.sub), []);
    });

    test('a disabled connection can be tested before it is enabled, and the page says it is disabled', async () => {
      const page = await testAs(new Person(world), await signInUrlOf('draft'), 'ann');
      assert.match(page.body, /The connection is disabled/);
    });

    test('a link that Test connection did not hand out, or for another connection, starts nothing', async () => {
      const forged = new URL('/login/oidc/okta/test?token=forged.token', world.server.url);
      const other = await signInUrlOf('draft');
      const swapped = new URL(other.toString().replace('/login/oidc/draft/', '/login/oidc/okta/'));
      for (const url of [forged, swapped]) {
        const page = expectPage(await new Person(world).open(url));
        assert.deepEqual([page.status, failureOf(page).code], [403, 'test_link_invalid']);
      }
    });

    test('the result page opened in another browser shows nothing', async () => {
      const person = new Person(world);
      const authorizationRequest = new URL(expectRedirect(await person.open(await signInUrlOf('okta'))));
      const callback = await person.signInUpstream(authorizationRequest, 'ann');
      const page = expectPage(await new Person(world).returnToGatehouse(callback));
      assert.deepEqual([page.status, failureOf(page).code], [400, 'detour_other_browser']);
      assert.doesNotMatch(page.body, /table class="claims"/);
    });
  });
}
