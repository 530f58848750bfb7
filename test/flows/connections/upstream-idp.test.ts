/*
 * The test upstream (test/helpers/upstream-idp.ts) proved with plain openid-client as its
 * relying party, before Gatehouse is one: every behaviour the connection tests rely on, and every
 * switch, is shown here to be what a real provider does, and each misbehaviour to be one that a
 * correct relying party refuses.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { Browser, expectPage, expectRedirect } from '../../helpers/browser.js';
import { insecure, oauthError } from '../../helpers/oauth.js';
import { startUpstreamIdp, upstreamForms, type UpstreamIdp } from '../../helpers/upstream-idp.js';
import { ann, ben, upstreamSecret as secret } from './fixtures.js';

/** Gatehouse's public URL as the upstream knows it; the callbacks are observed, never fetched. */
const gatehouse = 'https://gatehouse.example.test';
const callbackUri = `${gatehouse}/login/oidc/okta/callback`;
const signedOutUri = `${gatehouse}/login/oidc/okta/signed-out`;


describe('the test upstream identity provider, with openid-client as its relying party', () => {
  let upstream: UpstreamIdp;
  let basic: oidc.Configuration;

  before(async () => {
    upstream = await startUpstreamIdp({ users: [ann, ben], name: 'Corp Okta' });
    upstream.registerGatehouse(`${gatehouse}/oidc`, 'okta', { clientId: 'gatehouse', clientSecret: secret });
    upstream.addClient({ clientId: 'gatehouse-post', clientSecret: secret, tokenEndpointAuthMethod: 'client_secret_post', redirectUris: [callbackUri] });
    basic = await oidc.discovery(new URL(upstream.issuer), 'gatehouse', undefined, oidc.ClientSecretBasic(secret), insecure);
  });
  afterEach(() => upstream.resetSwitches());
  after(() => upstream?.close());

  const newBrowser = () => new Browser([upstream.origin]);

  /** What Gatehouse keeps while the browser is away: PKCE verifier, state and nonce. */
  async function authorization(config: oidc.Configuration, params: Record<string, string> = {}) {
    const pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callbackUri,
      scope: 'openid profile email',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      ...params,
    });
    return { url, ...pending };
  }

  type Pending = Awaited<ReturnType<typeof authorization>>;

  /** Signs in at the upstream's login page and returns the callback URL the browser is sent to. */
  async function callbackAfterSignIn(browser: Browser, url: URL, username: string): Promise<URL> {
    const page = expectPage(await browser.get(url.toString()));
    return new URL(expectRedirect(await browser.submit(page, upstreamForms.signIn, { username })));
  }

  /** openid-client's refusal: its code, and the reason of the check that failed (the error it wraps). */
  const refusedFor = (code: string, reason: RegExp) => (error: Error & { code?: string }) =>
    error.code === code && reason.test((error.cause as Error | undefined)?.message ?? '');

  const redeem = (config: oidc.Configuration, pending: Pending, callback: URL) =>
    oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });

  async function signIn(config: oidc.Configuration = basic, username = 'ann', browser = newBrowser()) {
    const pending = await authorization(config);
    return redeem(config, pending, await callbackAfterSignIn(browser, pending.url, username));
  }

  test('a round trip with PKCE, state and nonce: the id_token and userinfo carry the user, the response carries iss', async () => {
    const discovered = basic.serverMetadata();
    assert.equal(discovered.issuer, upstream.issuer);
    assert.equal(discovered.authorization_response_iss_parameter_supported, true);
    assert.ok(discovered.code_challenge_methods_supported?.includes('S256'));

    const pending = await authorization(basic);
    const callback = await callbackAfterSignIn(newBrowser(), pending.url, 'ann');
    assert.equal(callback.origin + callback.pathname, callbackUri);
    assert.equal(callback.searchParams.get('iss'), upstream.issuer, 'RFC 9207 iss on the authorization response');
    assert.equal(upstream.authorizationRequests.at(-1)?.get('code_challenge_method'), 'S256');

    const tokens = await redeem(basic, pending, callback);
    const claims = tokens.claims()!;
    assert.equal(claims.iss, upstream.issuer);
    assert.equal(claims.aud, 'gatehouse');
    assert.equal(claims.nonce, pending.nonce);
    assert.deepEqual(
      { sub: claims.sub, preferred_username: claims.preferred_username, email: claims.email, email_verified: claims.email_verified, name: claims.name, groups: claims.groups, department: claims.department },
      ann,
    );
    const userinfo = await oidc.fetchUserInfo(basic, tokens.access_token, ann.sub);
    assert.equal(userinfo.preferred_username, 'ann');
    assert.deepEqual(userinfo.groups, ann.groups);
  });

  test('the upstream session signs the user in again without its login page, consents at once, and asks again for prompt=login', async () => {
    const browser = newBrowser();
    await signIn(basic, 'ann', browser);
    const again = await authorization(basic);
    const callback = new URL(expectRedirect(await browser.get(again.url.toString())));
    assert.equal((await redeem(basic, again, callback)).claims()?.sub, ann.sub);

    const consent = await authorization(basic, { prompt: 'consent' });
    assert.equal((await redeem(basic, consent, new URL(expectRedirect(await browser.get(consent.url.toString()))))).claims()?.sub, ann.sub, 'consent is granted at once');

    const forced = await authorization(basic, { prompt: 'login' });
    assert.ok(expectPage(await browser.get(forced.url.toString())).document.querySelector(upstreamForms.signIn));
  });

  test('its cookies are named apart from the engine defaults Gatehouse uses on the same host (cookies ignore ports)', async () => {
    const browser = newBrowser();
    for (const name of ['_session', '_interaction', '_interaction_resume']) await browser.jar.setCookie(`${name}=gatehouse; Path=/`, upstream.origin);
    assert.equal((await signIn(basic, 'ann', browser)).claims()?.sub, ann.sub);
    const cookies = await browser.jar.getCookies(`${upstream.origin}/`);
    assert.deepEqual(cookies.filter((c) => c.value === 'gatehouse').map((c) => c.key).sort(), ['_interaction', '_interaction_resume', '_session']);
    assert.ok(cookies.some((c) => c.key === '_upstream_session'));
  });

  test('users sign in by sub, username or email; an unknown one is refused at the login page', async () => {
    assert.equal((await signIn(basic, 'ben@corp.example.test')).claims()?.sub, ben.sub);
    assert.equal((await signIn(basic, '00u2ben')).claims()?.sub, ben.sub);

    const browser = newBrowser();
    const { url } = await authorization(basic);
    const refused = expectPage(await browser.submit(expectPage(await browser.get(url.toString())), upstreamForms.signIn, { username: 'nobody' }));
    assert.equal(refused.status, 401);
    assert.match(refused.document.querySelector('.error')!.text, /No user nobody/);
  });

  test('a renamed user keeps its sub, and userinfo follows the rename', async () => {
    upstream.setUser({ ...ben, preferred_username: 'benjamin' });
    try {
      const tokens = await signIn(basic, 'benjamin');
      assert.equal(tokens.claims()?.sub, ben.sub);
      assert.equal(tokens.claims()?.preferred_username, 'benjamin');
    } finally {
      upstream.setUser(ben);
    }
  });

  test('client_secret_post: the application registered for it is let in with the secret in the body and refused with basic', async () => {
    const post = await oidc.discovery(new URL(upstream.issuer), 'gatehouse-post', undefined, oidc.ClientSecretPost(secret), insecure);
    assert.equal((await signIn(post)).claims()?.sub, ann.sub);

    const wrongMethod = await oidc.discovery(new URL(upstream.issuer), 'gatehouse-post', undefined, oidc.ClientSecretBasic(secret), insecure);
    assert.equal(await oauthError(signIn(wrongMethod)), 'invalid_client');
    // A made-up code tells credentials apart as Test connection asks: the wrong method is refused before the code.
    const madeUp = { code: 'no-such-code', redirect_uri: callbackUri };
    assert.equal(await oauthError(oidc.genericGrantRequest(wrongMethod, 'authorization_code', madeUp)), 'invalid_client');
    assert.equal(await oauthError(oidc.genericGrantRequest(post, 'authorization_code', madeUp)), 'invalid_grant');
    assert.equal(await oauthError(signIn(await oidc.discovery(new URL(upstream.issuer), 'gatehouse', undefined, oidc.ClientSecretPost(secret), insecure))), 'invalid_client');
  });

  test('a wrong client secret is invalid_client at the token endpoint', async () => {
    const wrong = await oidc.discovery(new URL(upstream.issuer), 'gatehouse', undefined, oidc.ClientSecretBasic(`${secret}-wrong`), insecure);
    assert.equal(await oauthError(signIn(wrong)), 'invalid_client');
  });

  test('login_hint is recorded and prefills the login page', async () => {
    const { url } = await authorization(basic, { login_hint: 'ann@corp.example.test' });
    const page = expectPage(await newBrowser().get(url.toString()));
    assert.equal(upstream.authorizationRequests.at(-1)?.get('login_hint'), 'ann@corp.example.test');
    assert.equal(page.document.querySelector(`${upstreamForms.signIn} input[name=username]`)?.getAttribute('value'), 'ann@corp.example.test');

    await authorization(basic).then(({ url: plain }) => newBrowser().get(plain.toString()));
    assert.equal(upstream.authorizationRequests.at(-1)?.get('login_hint'), null);
  });

  test('the user cancelling is access_denied, with the state and iss', async () => {
    const browser = newBrowser();
    const pending = await authorization(basic);
    const page = expectPage(await browser.get(pending.url.toString()));
    const callback = new URL(expectRedirect(await browser.submit(page, upstreamForms.cancel)));
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), pending.state);
    assert.equal(callback.searchParams.get('iss'), upstream.issuer);
    await assert.rejects(redeem(basic, pending, callback), (error: oidc.AuthorizationResponseError) => error.error === 'access_denied');
  });

  test('claims only in userinfo: every claim but sub, or the ones named', async () => {
    upstream.switches.claimsOnlyInUserinfo = true;
    let tokens = await signIn();
    assert.deepEqual(Object.keys(tokens.claims()!).filter((claim) => claim in ann), ['sub']);
    const userinfo = await oidc.fetchUserInfo(basic, tokens.access_token, ann.sub);
    assert.equal(userinfo.preferred_username, 'ann');
    assert.equal(userinfo.email, ann.email);

    upstream.switches.claimsOnlyInUserinfo = ['preferred_username'];
    tokens = await signIn();
    assert.equal(tokens.claims()?.preferred_username, undefined);
    assert.equal(tokens.claims()?.email, ann.email);
    assert.equal((await oidc.fetchUserInfo(basic, tokens.access_token, ann.sub)).preferred_username, 'ann');
  });

  test('an id_token with a wrong audience, a wrong nonce or a foreign signature is refused by the relying party', async () => {
    upstream.switches.idTokenClaims = { aud: 'someone-else' };
    await assert.rejects(signIn(), refusedFor('OAUTH_JWT_CLAIM_COMPARISON_FAILED', /"aud"/));

    upstream.switches.idTokenClaims = { nonce: 'another-nonce' };
    await assert.rejects(signIn(), refusedFor('OAUTH_JWT_CLAIM_COMPARISON_FAILED', /"nonce"/));

    upstream.switches.idTokenClaims = undefined;
    // openid-client checks the signature of a token endpoint's id_token only when asked: a relying
    // party that must refuse a bad signature (Gatehouse) turns enableNonRepudiationChecks on.
    upstream.switches.foreignSignature = true;
    assert.equal((await signIn()).claims()?.sub, ann.sub, 'not checked unless asked');
    const checking = await oidc.discovery(new URL(upstream.issuer), 'gatehouse', undefined, oidc.ClientSecretBasic(secret), { execute: [...insecure.execute, oidc.enableNonRepudiationChecks] });
    await assert.rejects(signIn(checking), refusedFor('OAUTH_INVALID_RESPONSE', /signature verification failed/));

    // Re-signed but untouched, the id_token is accepted: the refusals above come from the claims changed.
    upstream.switches.foreignSignature = false;
    upstream.switches.idTokenClaims = {};
    assert.equal((await signIn(checking)).claims()?.sub, ann.sub);
  });

  test('a rotated signing key: id_tokens under a new kid, published beside the old one, which a relying party checking signatures verifies', async () => {
    upstream.switches.rotatedKey = true;
    const jwks = (await (await fetch(upstream.endpoints.jwksUri)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(jwks.keys.map((key) => key.kid), ['upstream-key-1', 'upstream-key-2']);
    const checking = await oidc.discovery(new URL(upstream.issuer), 'gatehouse', undefined, oidc.ClientSecretBasic(secret), { execute: [...insecure.execute, oidc.enableNonRepudiationChecks] });
    const tokens = await signIn(checking);
    assert.equal(JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString()).kid, 'upstream-key-2');
    assert.equal(tokens.claims()?.sub, ann.sub);

    upstream.switches.rotatedKey = false;
    assert.deepEqual(((await (await fetch(upstream.endpoints.jwksUri)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid), ['upstream-key-1'], 'the engine\'s own key set is left as it was');
  });

  test('RFC 9207: neither advertised nor sent when switched off; a wrong iss is refused', async () => {
    upstream.switches.authorizationResponseIss = false;
    const old = await oidc.discovery(new URL(upstream.issuer), 'gatehouse', undefined, oidc.ClientSecretBasic(secret), insecure);
    assert.equal(old.serverMetadata().authorization_response_iss_parameter_supported, undefined);
    const pending = await authorization(old);
    const callback = await callbackAfterSignIn(newBrowser(), pending.url, 'ann');
    assert.equal(callback.searchParams.has('iss'), false);
    assert.equal((await redeem(old, pending, callback)).claims()?.sub, ann.sub);

    upstream.switches.authorizationResponseIss = 'https://mix-up.example.test';
    await assert.rejects(signIn(), refusedFor('OAUTH_INVALID_RESPONSE', /"iss"/));
  });

  test('logout records the id_token_hint, ends the upstream session and returns to the post-logout URI with the state', async () => {
    const browser = newBrowser();
    const tokens = await signIn(basic, 'ann', browser);
    const state = oidc.randomState();
    const logout = oidc.buildEndSessionUrl(basic, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: signedOutUri, state });
    assert.equal(logout.origin + logout.pathname, upstream.endpoints.endSessionEndpoint);

    const confirm = expectPage(await browser.get(logout.toString()));
    const returned = new URL(expectRedirect(await browser.submit(confirm, upstreamForms.signOut)));
    assert.equal(returned.origin + returned.pathname, signedOutUri);
    assert.equal(returned.searchParams.get('state'), state);
    assert.equal(upstream.endSessionRequests.at(-1)?.get('id_token_hint'), tokens.id_token);

    const { url } = await authorization(basic);
    assert.ok(expectPage(await browser.get(url.toString())).document.querySelector(upstreamForms.signIn), 'signed out upstream: the login page again');
  });

  test('the manual endpoints are those of the discovery document', () => {
    const discovered = basic.serverMetadata();
    assert.deepEqual(upstream.endpoints, {
      issuer: discovered.issuer,
      authorizationEndpoint: discovered.authorization_endpoint,
      tokenEndpoint: discovered.token_endpoint,
      userinfoEndpoint: discovered.userinfo_endpoint,
      jwksUri: discovered.jwks_uri,
      endSessionEndpoint: discovered.end_session_endpoint,
    });
    assert.equal(upstream.discoveryUrl, `${upstream.issuer}/.well-known/openid-configuration`);
  });

  test('a redirect URI that is not registered is refused on the upstream error page, never redirected to', async () => {
    const { url } = await authorization(basic, { redirect_uri: `${gatehouse}/login/oidc/other/callback` });
    const page = expectPage(await newBrowser().get(url.toString()));
    assert.equal(page.status, 400);
    assert.match(page.document.querySelector('.error')!.text, /redirect_uri/);
  });

  test('stopped, the upstream refuses connections; resumed, it answers on the same port with its state', async () => {
    await upstream.stop();
    await assert.rejects(fetch(upstream.discoveryUrl), TypeError);
    await upstream.resume();
    assert.equal((await fetch(upstream.discoveryUrl)).status, 200);
    assert.equal((await signIn()).claims()?.sub, ann.sub);
  });
});
