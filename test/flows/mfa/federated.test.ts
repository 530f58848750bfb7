/*
 * Sign-in through an upstream OpenID Connect provider, or with a partner's signed JWT, passes the
 * same second-factor gate as a password: under `required`, no code reaches the application before the person has a second
 * factor here; a connection trusted to report its own MFA lets an upstream sign-in that says
 * `mfa` in its amr through as two factors, and one that does not say so is asked here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { acrOf } from '../../../src/mfa/assurance.js';
import { expectPage, expectRedirect } from '../../helpers/browser.js';
import { redeem, startAuthorization } from '../../helpers/code-flow.js';
import { ann, ben, dan, kim, lou, oidcConnection } from '../connections/fixtures.js';
import { Person, startWorld, type World } from '../connections/steps.js';
import { jwtConnection } from '../jwt-sso/fixtures.js';
import { departThroughButton, partnerToken, Person as JwtPerson, startWorld as startJwtWorld, type World as JwtWorld } from '../jwt-sso/steps.js';

const cli = { kind: 'cli', command: 'test' } as const;
/** Ann signs in at the upstream with a password and a one-time code, and the upstream says so. */
const annWithMfa = { ...ann, amr: ['pwd', 'otp', 'mfa'] };

describe('the second-factor gate after an upstream sign-in (sqlite)', () => {
  let world: World;

  before(async () => {
    world = await startWorld({
      dialect: 'sqlite',
      upstream: { users: [annWithMfa, ben, kim, lou, dan] },
      connections: (upstream) => [
        oidcConnection('okta', upstream.discoveryUrl),
        oidcConnection('okta-mfa', upstream.discoveryUrl, { name: 'Corp Okta (MFA trusted)', trust_upstream_mfa: true }),
      ],
    });
    await world.server.services.mfa.settings.update(cli, { policy: 'required' });
  });
  after(() => world?.close());

  async function throughUpstream(connectionId: string, username: string) {
    const person = new Person(world);
    const pending = await startAuthorization(world.app, 'openid');
    const authorizationRequest = await person.pressConnection(expectPage(await person.open(pending.url)), connectionId);
    return { person, pending, back: await person.returnToGatehouse(await person.signInUpstream(authorizationRequest, username)) };
  }

  test('an upstream sign-in without MFA is sent to set up a second factor here, with no code issued', async () => {
    const { back } = await throughUpstream('okta', 'ben');
    const page = expectPage(back);
    assert.match(page.url, /\/mfa$/);
    assert.ok(page.document.querySelector('form[action$="/enrol/totp"]'), 'set up a factor before anything else');
  });

  test('an untrusted connection does not take the upstream\'s word for MFA', async () => {
    const { back } = await throughUpstream('okta', 'ann');
    assert.match(expectPage(back).url, /\/mfa$/);
  });

  test('a trusted connection whose upstream says mfa passes as two factors: acr mfa, amr fed and mfa', async () => {
    const { pending, back } = await throughUpstream('okta-mfa', 'ann');
    const tokens = await redeem(world.app, pending, new URL(expectRedirect(back)));
    assert.equal(tokens.claims()?.acr, acrOf('mfa'));
    assert.deepEqual(tokens.claims()?.amr, ['fed', 'mfa']);
  });

  test('a trusted connection whose upstream does not say mfa is asked here', async () => {
    const { back } = await throughUpstream('okta-mfa', 'ben');
    assert.match(expectPage(back).url, /\/mfa$/);
  });
});

describe('the second-factor gate after a partner\'s signed JWT (sqlite)', () => {
  let world: JwtWorld;

  before(async () => {
    world = await startJwtWorld({ dialect: 'sqlite', connections: [jwtConnection('portal')] });
    await world.server.services.mfa.settings.update(cli, { policy: 'required' });
  });
  after(() => world?.close());

  test('a partner\'s sign-in is one factor: under required, a second is set up here before any code is issued', async () => {
    const person = new JwtPerson(world);
    const { signInUrl } = await departThroughButton(world, person, 'portal');
    const back = expectPage(await person.returnWith(signInUrl, await partnerToken({ email: 'maria@partner.example' })));
    assert.match(back.url, /\/mfa$/);
    assert.ok(back.document.querySelector('form[action$="/enrol/totp"]'));
  });
});
