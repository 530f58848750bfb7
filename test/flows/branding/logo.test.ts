/*
 * The branding's logo, over HTTP on the real server: fetched once, when it is set, from a local
 * website (GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true, as for an upstream on the company network);
 * recognised by its bytes; served by Gatehouse at a versioned path, cached for good, never
 * sniffed, an SVG sandboxed; shown on the login page without any request elsewhere and without
 * a change to its CSP. Whatever cannot be a logo is refused on logo_url and nothing is stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { redirectUri } from '../../helpers/applications.js';
import { onLoginPage } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { freePort } from '../../helpers/free-port.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';
import { eventsOf, oneEventOf } from '../audit/steps.js';
import { gif, png, startLogoServer, svg, type LogoServer } from '../../helpers/logo-server.js';

const pagesCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";
const logoCsp = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

const webApp = {
  client_id: 'notes', client_name: 'Network Notes', token_endpoint_auth_method: 'none',
  redirect_uris: [redirectUri], grant_types: ['authorization_code'],
};

for (const dialect of dialects) {
  describe(`the branding's logo (${dialect})`, () => {
    let server: TestServer;
    let site: LogoServer;
    let api: ApiClient;
    let config: oidc.Configuration;

    /** Asks Gatehouse for a logo the way a browser's <img> does. */
    const logoAt = (path: string) => fetch(`${server.url}${path}`, { headers: { accept: 'image/avif,image/webp,image/*,*/*;q=0.8' } });

    before(async () => {
      site = await startLogoServer();
      server = await startServer({ dialect, declarations: { applications: [automation, webApp] }, env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
      api = apiClient(server, await machineToken(server));
      config = await oidc.discovery(new URL(server.issuer), 'notes', undefined, oidc.None(), insecure);
      assert.equal((await api.put('/branding', { product_name: 'Acme' })).status, 200);
    });
    after(async () => {
      await server?.close();
      await site?.close();
    });

    test('a PNG is fetched once, served by Gatehouse with its type and headers, and shown on the login page with no request elsewhere', async () => {
      site.requests.length = 0;
      const answer = await api.put('/branding', { logo_url: `${site.origin}/logo.png` });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const { logo } = answer.body;
      assert.equal(answer.body.logo_url, `${site.origin}/logo.png`);
      assert.equal(logo.content_type, 'image/png');
      assert.equal(logo.path, `/branding/logo/${logo.version}`);
      assert.match(logo.version, /^[0-9a-f]{16}$/);
      assert.deepEqual(site.requests, ['/logo.png'], 'fetched once, when set');

      const served = await logoAt(logo.path);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/png');
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);

      const { page } = await onLoginPage(server, config, 'openid');
      const img = page.document.querySelector('header.brand img');
      assert.equal(img?.getAttribute('src'), logo.path, 'a Gatehouse path: the CSP\'s img-src \'self\' allows it');
      assert.equal(img?.getAttribute('alt'), 'Acme');
      assert.equal(page.headers.get('content-security-policy'), pagesCsp);
      assert.doesNotMatch(page.body, new RegExp(site.origin.replace(/[.:/]/g, '\\$&')), 'the page names no other site');
      assert.deepEqual(site.requests, ['/logo.png'], 'showing pages fetches nothing');
    });

    test('the bytes decide the type, not the Content-Type the website sends', async () => {
      const answer = await api.put('/branding', { logo_url: `${site.origin}/logo.gif` });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.logo.content_type, 'image/gif');
      const served = await logoAt(answer.body.logo.path);
      assert.equal(served.headers.get('content-type'), 'image/gif');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), gif);
    });

    test('an SVG is served sandboxed, so that opened on its own it runs nothing; the logo before it is no longer served; the change is audited', async () => {
      const before = (await api.get('/branding')).body.logo;
      const event = await oneEventOf(server, 'branding.changed', async () => {
        const answer = await api.put('/branding', { logo_url: `${site.origin}/logo.svg` });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
      });
      const { logo } = (await api.get('/branding')).body;
      assert.equal(logo.content_type, 'image/svg+xml');
      const served = await logoAt(logo.path);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/svg+xml');
      assert.equal(served.headers.get('content-security-policy'), logoCsp);
      assert.equal(served.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), svg);
      assert.equal((await logoAt(before.path)).status, 404, 'the GIF\'s version is gone');
      assert.equal((await logoAt('/branding/logo/not-a-version')).status, 404);
      assert.deepEqual(event.details, {
        before: { logo_url: `${site.origin}/logo.gif`, logo_hash: before.version, logo_content_type: 'image/gif' },
        after: { logo_url: `${site.origin}/logo.svg`, logo_hash: logo.version, logo_content_type: 'image/svg+xml' },
      });
    });

    test('what cannot be a logo is refused on logo_url, with the reason, and nothing is stored, the other fields of the request neither', async () => {
      const before = (await api.get('/branding')).body;
      // A port nothing listens on.
      const unreachable = `http://127.0.0.1:${await freePort()}/logo.png`;
      const cases: Array<[string, RegExp]> = [
        [`${site.origin}/not-an-image.png`, /is not a PNG, JPEG, GIF, WebP or SVG image .*"image\/png"/],
        [`${site.origin}/empty.png`, /is not a PNG, JPEG, GIF, WebP or SVG image/],
        [`${site.origin}/huge.png`, /more than the 256 KiB a logo may have/],
        [`${site.origin}/gone.png`, /answered HTTP 404/],
        [`${site.origin}/moved.png`, /redirects to .*\/logo\.png/],
        [unreachable, /could not be fetched: cannot reach 127\.0\.0\.1:\d+: the connection was refused/],
        ['http://169.254.169.254/latest/meta-data', /link-local/],
      ];
      const added = await eventsOf(server, async () => {
        for (const [url, reason] of cases) {
          const answer = await api.put('/branding', { logo_url: url, product_name: 'Not stored' });
          assert.equal(answer.status, 400, `${url}: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.code, 'invalid_request');
          assert.deepEqual(answer.body.details.map((detail: { path: string }) => detail.path), ['body.logo_url'], url);
          assert.match(answer.body.details[0].message, reason, url);
        }
      }, 'branding.changed');
      assert.deepEqual(added, []);
      assert.deepEqual((await api.get('/branding')).body, before);
      assert.equal((await logoAt(before.logo.path)).status, 200, 'the logo stays');
    });

    test('null removes the logo: the pages show the name again and the old path is no longer served', async () => {
      const { logo } = (await api.get('/branding')).body;
      const answer = await api.put('/branding', { logo_url: null });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual([answer.body.logo, answer.body.logo_url, answer.body.product_name], [null, null, 'Acme']);
      assert.equal((await logoAt(logo.path)).status, 404);
      const { page } = await onLoginPage(server, config, 'openid');
      assert.equal(page.document.querySelector('header.brand img'), null);
      assert.equal(page.document.querySelector('header.brand')?.text.trim(), 'Acme');
    });
  });
}
