import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KoaContextWithOIDC } from '../../src/oidc/engine.js';
import { revokedGrant, signedOut, tokensIssued, tokensIssuedAtAuthorization } from '../../src/oidc/engine-internals.js';
import { authorize, basic, browser, callbackParams, form, redirectUri, secret, startBareEngine, type BareEngine } from './bare-engine.js';

/**
 * The contract between Gatehouse and the installed oidc-provider: each test checks one thing
 * engine-internals.ts says the engine does, against the engine alone (test/engine/bare-engine.ts).
 * A failure here after an upgrade names the reliance to review before the flow tests show its effect.
 *
 * This file: what the audit log reads from the engine's events (src/oidc/audit-listeners.ts) —
 * the tokens a grant issued, the tokens the authorization endpoint issued, a logout, and the
 * grants the engine revoked, with the route, application and user of each.
 */

describe('the engine\'s events, as the audit log reads them', () => {
  let engine: BareEngine;
  const heard: Array<{ event: string; read: unknown }> = [];
  const readsOf = (event: string) => heard.filter((entry) => entry.event === event).map((entry) => entry.read);

  before(async () => {
    engine = await startBareEngine({
      clients: [
        {
          client_id: 'web', client_secret: secret, redirect_uris: [redirectUri],
          grant_types: ['authorization_code', 'refresh_token', 'implicit'], response_types: ['code', 'id_token token'],
        },
        { client_id: 'm2m', client_secret: secret, redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
      ],
      features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true }, revocation: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    });
    // The login, then the consent, as Gatehouse's pages give them: a grant of the scopes asked for.
    engine.own.set('/prompt', async (req, res) => {
      const details = await engine.provider.interactionDetails(req, res);
      let result: Parameters<typeof engine.provider.interactionResult>[2] = { login: { accountId: 'u1' } };
      if (details.prompt.name === 'consent') {
        const grant = new engine.provider.Grant({ accountId: 'u1', clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope));
        result = { consent: { grantId: await grant.save() } };
      }
      res.writeHead(200).end(await engine.provider.interactionResult(req, res, result, { mergeWithLastSubmission: true }));
    });
    const on = engine.provider.on.bind(engine.provider) as (event: string, listener: (ctx: KoaContextWithOIDC, extra?: unknown) => void) => void;
    on('grant.success', (ctx) => heard.push({ event: 'grant.success', read: tokensIssued(ctx) }));
    on('authorization.success', (ctx, response) => heard.push({ event: 'authorization.success', read: tokensIssuedAtAuthorization(ctx, response as Record<string, unknown>) }));
    on('end_session.success', (ctx) => heard.push({ event: 'end_session.success', read: signedOut(ctx) }));
    on('grant.revoked', (ctx, grantId) => heard.push({ event: 'grant.revoked', read: { grantId, ...revokedGrant(ctx, grantId as string) } }));
  });
  after(() => engine?.close());

  /** Signs u1 in through the prompt handler, as often as the engine asks: the browser, and the authorization response's parameters. */
  async function signInAs(params: Record<string, string>, get = browser(engine.url)) {
    let response = await get(authorize(params));
    while ((response.headers.get('location') ?? '').startsWith('/interaction/')) response = await get(await (await get('/prompt')).text());
    return { get, params: callbackParams(response) };
  }

  test('grant.success for client credentials: the grant type, the application, no user, the kinds of token issued', async () => {
    const response = await fetch(`${engine.url}/token`, form({ grant_type: 'client_credentials' }, basic('m2m')));
    assert.equal(response.status, 200);
    assert.deepEqual(readsOf('grant.success').at(-1), { grantType: 'client_credentials', clientId: 'm2m', accountId: undefined, tokens: ['access_token'], scope: undefined });
  });

  test('grant.success for a code and a refresh token, with the user; grant.revoked when the refresh token is revoked (by the application) and when a code comes again', async () => {
    const { params } = await signInAs({ response_type: 'code', scope: 'openid offline_access', prompt: 'consent' });
    const code = params.get('code')!;
    const redeem = () => fetch(`${engine.url}/token`, form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, basic('web')));
    const tokens = (await (await redeem()).json()) as { refresh_token: string };
    assert.deepEqual(readsOf('grant.success').at(-1), { grantType: 'authorization_code', clientId: 'web', accountId: 'u1', tokens: ['access_token', 'id_token', 'refresh_token'], scope: 'openid offline_access' });

    assert.equal((await fetch(`${engine.url}/token`, form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, basic('web')))).status, 200);
    const refreshed = readsOf('grant.success').at(-1) as { grantType: string; accountId: string };
    assert.deepEqual([refreshed.grantType, refreshed.accountId], ['refresh_token', 'u1']);

    const before = readsOf('grant.revoked').length;
    assert.equal((await fetch(`${engine.url}/token/revocation`, form({ token: tokens.refresh_token }, basic('web')))).status, 200);
    const revoked = readsOf('grant.revoked').slice(before) as Array<{ reason: string; clientId: string; accountId: string }>;
    assert.deepEqual(revoked.map(({ reason, clientId, accountId }) => ({ reason, clientId, accountId })), [{ reason: 'token_revoked', clientId: 'web', accountId: 'u1' }]);

    // A code used twice (its grant still there, which the revocation above ended for the first code).
    const again = (await signInAs({ response_type: 'code', scope: 'openid' })).params.get('code')!;
    const redeemAgain = () => fetch(`${engine.url}/token`, form({ grant_type: 'authorization_code', code: again, redirect_uri: redirectUri }, basic('web')));
    assert.equal((await redeemAgain()).status, 200);
    assert.equal((await redeemAgain()).status, 400);
    const reused = readsOf('grant.revoked').at(-1) as { reason: string; clientId: string; accountId: string | undefined };
    assert.deepEqual([reused.reason, reused.clientId], ['reuse_detected', 'web']);
  });

  test('authorization.success with tokens in the response (the implicit response types); nothing read when it carries only a code', async () => {
    const signedIn = await signInAs({ response_type: 'code', scope: 'openid' });
    const codeOnly = readsOf('authorization.success').at(-1);
    assert.equal(codeOnly, undefined, 'a code is no token');
    await signInAs({ response_type: 'id_token token', scope: 'openid' }, signedIn.get);
    assert.deepEqual(readsOf('authorization.success').at(-1), {
      grantType: 'implicit', responseType: 'id_token token', clientId: 'web', accountId: 'u1', tokens: ['access_token', 'id_token'], scope: 'openid',
    });
  });

  test('end_session.success after signing out: the user and the application named; each grant of the session revoked for the logout, with its application', async () => {
    const { get } = await signInAs({ response_type: 'code', scope: 'openid' });
    const page = await (await get('/session/end?client_id=web')).text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(xsrf);
    const before = readsOf('grant.revoked').length;
    assert.equal((await get('/session/end/confirm', form({ xsrf, logout: 'yes' }))).status, 303);
    assert.deepEqual(readsOf('end_session.success').at(-1), { accountId: 'u1', clientId: 'web' });
    const revoked = readsOf('grant.revoked').slice(before) as Array<{ reason: string; clientId: string; accountId: string }>;
    assert.ok(revoked.length >= 1);
    assert.deepEqual(revoked.map(({ reason, clientId, accountId }) => ({ reason, clientId, accountId }))[0], { reason: 'logout', clientId: 'web', accountId: 'u1' });
  });
});
