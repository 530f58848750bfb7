/*
 * The browser-binding cookie behind a TLS-terminating proxy (public URL https): named with the
 * __Host- prefix, so that a sibling subdomain cannot set one of its own that Gatehouse would read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestSignInUrl } from '../../../src/sign-in/oidc/upstream-sign-in.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { startUpstreamIdp, type UpstreamIdp } from '../../helpers/upstream-idp.js';
import { ann, oidcConnection, upstreamSecret } from './fixtures.js';
import { asOidc } from '../../helpers/connection-types.js';

const publicUrl = 'https://id.example.test';

describe('the binding cookie when Gatehouse is served over https (sqlite)', () => {
  let upstream: UpstreamIdp;
  let server: TestServer;

  before(async () => {
    upstream = await startUpstreamIdp({ users: [ann] });
    server = await startServer({
      publicUrl,
      env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
      declarations: { connections: [oidcConnection('okta', upstream.discoveryUrl)] },
    });
    upstream.registerGatehouse(publicUrl, 'okta', { clientId: 'gatehouse-okta', clientSecret: upstreamSecret });
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });

  /** Departs through Test connection's link (reached at the listening address): the departure's answer. */
  async function depart(): Promise<Response> {
    const signIn = createTestSignInUrl({ box: server.services.deps.box, clock: server.services.deps.clock, publicOrigin: publicUrl });
    const link = new URL(await signIn(asOidc(await server.services.connections.find('okta'))));
    return fetch(`${server.url}${link.pathname}${link.search}`, { redirect: 'manual' });
  }

  test('it is __Host-gatehouse_binding: Secure, Path=/, no Domain, HttpOnly, SameSite=Lax', async () => {
    const departure = await depart();
    assert.equal(departure.status, 303);
    const cookie = departure.headers.getSetCookie().find((value) => value.includes('gatehouse_binding='));
    assert.match(cookie ?? '', /^__Host-gatehouse_binding=[A-Za-z0-9_-]{43}; /);
    const attributes = cookie!.split('; ').slice(1);
    for (const attribute of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax']) assert.ok(attributes.includes(attribute), attribute);
    assert.ok(!attributes.some((attribute) => attribute.toLowerCase().startsWith('domain=')));
  });

  test('only the prefixed cookie binds: the same value under the plain name is another browser', async () => {
    const callbackWith = async (cookieName: string) => {
      const departure = await depart();
      const value = /gatehouse_binding=([A-Za-z0-9_-]{43})/.exec(departure.headers.getSetCookie().join('\n'))![1];
      const state = new URL(departure.headers.get('location')!).searchParams.get('state')!;
      const callback = await fetch(`${server.url}/login/oidc/okta/callback?error=access_denied&state=${state}`, {
        headers: { cookie: `${cookieName}=${value}`, accept: 'text/html' },
        redirect: 'manual',
      });
      return { status: callback.status, body: await callback.text() };
    };
    const plain = await callbackWith('gatehouse_binding');
    assert.equal(plain.status, 400);
    assert.match(plain.body, /detour_other_browser/);
    const prefixed = await callbackWith('__Host-gatehouse_binding');
    assert.equal(prefixed.status, 403);
    assert.match(prefixed.body, /upstream_denied/);
  });
});
