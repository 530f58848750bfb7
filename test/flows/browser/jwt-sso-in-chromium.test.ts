/*
 * A partner's sign-in in a real browser, across two sites (the partner on `localhost`,
 * Gatehouse on `127.0.0.1`): the partner's page returns the browser with an auto-submitted form
 * (a cross-site POST, which brings no SameSite=Lax cookie) or with a redirect (a top-level GET,
 * which does), and either way the browser ends signed in at the application.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { startCallbackServer } from '../../helpers/callback-server.js';
import { launchChromium, skipWithoutChromium } from '../../helpers/chromium.js';
import { redeem, startAuthorization } from '../../helpers/code-flow.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const secret = 'portal-shared-secret-0123456789abcdefghijklmnop';

/** The partner's portal: its sign-in page signs a token for whoever it is told and sends the browser back, by form or by redirect. */
async function startPortal() {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const callback = url.searchParams.get('gatehouse_callback_url');
    if (!callback) return void res.writeHead(400).end('no gatehouse_callback_url');
    const mode = url.searchParams.get('mode') === 'redirect' ? 'redirect' : 'form';
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: `p-${mode}`, email: `${mode}@partner.example`, given_name: 'Pat', family_name: mode, jti: randomUUID(), iat: now, exp: now + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    if (mode === 'redirect') {
      const back = new URL(callback);
      back.searchParams.set('token', token);
      return void res.writeHead(302, { location: back.href }).end();
    }
    const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!DOCTYPE html><title>Partner portal</title>
<form method="post" action="${escape(callback)}"><input type="hidden" name="token" value="${escape(token)}"><button>Continue to Gatehouse</button></form>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://localhost:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("a partner's sign-in in a real browser, across two sites", { skip: skipWithoutChromium }, () => {
  let server: TestServer;
  let portal: Awaited<ReturnType<typeof startPortal>>;
  let app: Awaited<ReturnType<typeof startCallbackServer>>;
  let chromium: Browser;
  let config: oidc.Configuration;
  let redirectUri: string;

  before(async () => {
    portal = await startPortal();
    app = await startCallbackServer();
    redirectUri = `${app.origin}/callback`;
    server = await startServer({
      env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
      declarations: {
        applications: [{ client_id: 'notes', client_name: 'Network Notes', token_endpoint_auth_method: 'none', redirect_uris: [redirectUri] }],
        connections: [
          { id: 'form', type: 'jwt', name: 'Partner portal (form)', sign_in_url: `${portal.origin}/sso?mode=form`, secret },
          { id: 'redirect', type: 'jwt', name: 'Partner portal (redirect)', sign_in_url: `${portal.origin}/sso?mode=redirect`, secret },
        ],
      },
    });
    config = await oidc.discovery(new URL(server.issuer), 'notes', undefined, oidc.None(), insecure);
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
    await app?.close();
    await portal?.close();
  });

  for (const mode of ['form', 'redirect'] as const) {
    test(`returned by ${mode === 'form' ? 'a form posted across sites' : 'a redirect'}: signed in, and the application's code redeems`, async () => {
      const context = await chromium.newContext();
      const page = await context.newPage();
      const pending = await startAuthorization(config, 'openid profile email', { redirect_uri: redirectUri });
      await page.goto(pending.url.toString());
      await page.getByRole('button', { name: mode === 'form' ? 'Partner portal (form)' : 'Partner portal (redirect)' }).click();
      if (mode === 'form') {
        await page.getByRole('button', { name: 'Continue to Gatehouse' }).click();
      }
      await page.getByRole('button', { name: 'Allow' }).waitFor();
      const arrived = app.next();
      await page.getByRole('button', { name: 'Allow' }).click();
      const callback = await arrived;
      const tokens = await redeem(config, pending, new URL(callback.url.pathname + callback.url.search, redirectUri));
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      assert.equal(userinfo.email, `${mode}@partner.example`);
      assert.equal(userinfo.name, `Pat ${mode}`);
      await context.close();
    });
  }
});
