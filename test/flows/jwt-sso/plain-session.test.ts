/*
 * `GET /login/sso/{id}?returnUrl=/path` (seed 003's hard-coded "click here to login" link): a
 * sign-in to Gatehouse itself through the partner, ending on the path asked for, never off-site;
 * the session it leaves signs the person in to every application without asking again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectPage, isPage } from '../../helpers/browser.js';
import { startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { jwtConnection, portalSignInUrl } from './fixtures.js';
import { failureOf, partnerToken, Person, startWorld, type World } from './steps.js';

for (const dialect of dialects) {
  describe(`a plain Gatehouse session from a partner's link (${dialect})`, () => {
    let world: World;
    before(async () => {
      world = await startWorld({ dialect, connections: [jwtConnection('portal'), jwtConnection('closed', { enabled: false })] });
    });
    after(() => world?.close());

    /** Opens the link, plays the partner, and follows Gatehouse to where it ends. */
    async function signInByLink(person: Person, returnUrl: string | undefined, email: string) {
      const link = new URL('/login/sso/portal', world.server.url);
      if (returnUrl !== undefined) link.searchParams.set('returnUrl', returnUrl);
      const sent = await person.open(link);
      assert.ok(!isPage(sent), 'sent off to the partner');
      const signInUrl = new URL(sent.redirectedTo);
      assert.equal(`${signInUrl.origin}${signInUrl.pathname}`, portalSignInUrl);
      return person.returnWith(signInUrl, await partnerToken({ sub: `sub-${email}`, email }));
    }

    test('the link signs the person in and ends on the path it names, with its query', async () => {
      const person = new Person(world);
      const landed = expectPage(await signInByLink(person, '/?welcome=yes', 'linked@partner.example'));
      assert.equal(landed.status, 200);
      assert.equal(new URL(landed.url).pathname + new URL(landed.url).search, '/?welcome=yes');
      assert.ok(await world.server.services.users.findByUsername('linked@partner.example'), 'the user exists');
    });

    test('the session it leaves signs the person in to an application without the login page', async () => {
      const person = new Person(world);
      await signInByLink(person, '/', 'everywhere@partner.example');
      const { url } = await startAuthorization(world.app, 'openid email');
      const next = await person.open(url);
      assert.ok(isPage(next), 'the consent page, for an application not approved yet');
      assert.ok(next.document.querySelector('form[action$="/consent"]'), 'consent, not sign-in');
      assert.equal(next.document.querySelector('form[action$="/password/login"]'), null, 'no login form');
    });

    test('a returnUrl that would start the sign-in again ends on / instead of going round', async () => {
      for (const loop of ['/login/sso/portal', '/interaction/abc']) {
        const landed = expectPage(await signInByLink(new Person(world), loop, `loop${Math.random().toString(36).slice(2, 8)}@partner.example`));
        assert.equal(new URL(landed.url).pathname, '/');
      }
    });

    for (const offSite of ['https://evil.example/steal', '//evil.example/steal', '/\\evil.example/steal', '/\t/evil.example/steal', 'javascript:alert(1)', 'evil.example']) {
      test(`returnUrl ${JSON.stringify(offSite)} never leads off-site: the person ends on /`, async () => {
        const person = new Person(world);
        const landed = await signInByLink(person, offSite, `offsite${Math.random().toString(36).slice(2, 8)}@partner.example`);
        assert.ok(isPage(landed), `stayed on Gatehouse, not sent to ${isPage(landed) ? '' : landed.redirectedTo}`);
        assert.equal(new URL(landed.url).pathname, '/');
      });
    }

    test('without returnUrl the person ends on /', async () => {
      const landed = expectPage(await signInByLink(new Person(world), undefined, 'plain@partner.example'));
      assert.equal(new URL(landed.url).pathname, '/');
    });

    test('a disabled or unknown connection answers with a page, not a sign-in', async () => {
      const person = new Person(world);
      for (const id of ['closed', 'nobody']) {
        const page = expectPage(await person.open(new URL(`/login/sso/${id}`, world.server.url)));
        assert.deepEqual([page.status, failureOf(page).code], [404, 'connection_unavailable']);
      }
    });

    test('a return to /login/signed-in that Gatehouse did not sign says the sign-in did not complete', async () => {
      const page = expectPage(await new Person(world).open(new URL('/login/signed-in?state=forged&code=x', world.server.url)));
      assert.match(page.body, /did not complete/);
    });
  });
}
