/*
 * An application's own branding over the global one, over HTTP on the real server: set through
 * the management API (its logo fetched once from a local website and stored), shown on the pages
 * of that application's sign-in (name, logo served by Gatehouse, colours in the served
 * stylesheet, its logo as the icon when a small square, else the global icon) with the CSP of
 * every other page, byte for byte, an error page inside the sign-in too; on a dark background of
 * its own, the error red and the links shaded until they read as text must (4.5:1); another
 * application's pages, and a path naming no stored sign-in, keep the global branding. Bad values
 * are refused by field name. The site's icon at /favicon.ico: the global logo when it is a small
 * square, else Gatehouse's own. A Chromium screenshot of the branded login page goes to
 * .test-output/branding/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { contrastBetween } from '../../../src/branding/contrast.js';
import { redirectUri } from '../../helpers/applications.js';
import { launchChromium, skipWithoutChromium } from '../../helpers/chromium.js';
import { expectPage } from '../../helpers/browser.js';
import { onLoginPage, startAuthorization } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { png, startLogoServer, svg, type LogoServer } from '../../helpers/logo-server.js';
import { apiClient, automation, machineToken, type ApiClient } from '../../helpers/management-api.js';
import { insecure } from '../../helpers/oauth.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

const pagesCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";
const screenshots = path.resolve('.test-output', 'branding');

const publicApp = (clientId: string, name: string) => ({
  client_id: clientId, client_name: name, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'],
});
const { client_id: _clientId, ...notesSettings } = publicApp('notes-web', 'Network Notes');

/** The error red's and the links' contrast with the background a stylesheet sets (WCAG 2.2 AA asks 4.5:1 of text). */
function textContrasts(css: string): { error: number; link: number } {
  const color = (pattern: RegExp) => {
    const found = pattern.exec(css)?.[1];
    assert.ok(found, `${pattern} in ${css.slice(0, 400)}`);
    return found;
  };
  const background = color(/--background: (#[0-9a-f]{6});/);
  return { error: contrastBetween(color(/--error: (#[0-9a-f]{6});/), background), link: contrastBetween(color(/\na \{ color: (#[0-9a-f]{6}); \}/), background) };
}

for (const dialect of dialects) {
  describe(`an application's own branding (${dialect})`, () => {
    let server: TestServer;
    let site: LogoServer;
    let api: ApiClient;
    let notes: oidc.Configuration;
    let plain: oidc.Configuration;

    const branded = () => ({ name: 'Notes by Acme', logo_uri: `${site.origin}/logo.svg`, primary_color: '#0F766E', background_color: '#f0fdfa' });
    const get = (url: string) => fetch(url.startsWith('/') ? `${server.url}${url}` : url);

    before(async () => {
      site = await startLogoServer();
      server = await startServer({
        dialect, env: { GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS: 'true' },
        declarations: { applications: [automation, publicApp('plain', 'Plain App')] },
      });
      api = apiClient(server, await machineToken(server));
      assert.equal((await api.put('/branding', { product_name: 'Acme', logo_url: `${site.origin}/logo.png` })).status, 200);
      const created = await api.post('/applications', { ...publicApp('notes-web', 'Network Notes'), branding: branded() });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const discover = (clientId: string) => oidc.discovery(new URL(server.issuer), clientId, undefined, oidc.None(), insecure);
      [notes, plain] = await Promise.all([discover('notes-web'), discover('plain')]);
    });
    after(async () => {
      await server?.close();
      await site?.close();
    });

    test('the application\'s login page shows its name, its logo from Gatehouse, its colours and icon, under the same CSP', async () => {
      const stored = (await api.get('/applications/notes-web')).body;
      assert.deepEqual(stored.branding, branded(), 'read back as given');
      const { browser, page } = await onLoginPage(server, notes, 'openid');
      const doc = page.document;
      assert.equal(doc.querySelector('title')?.text, 'Sign in · Notes by Acme');
      // An error answered inside the sign-in is the application's too; a path naming no stored sign-in is not.
      const inside = expectPage(await browser.get(`${page.url}/no-such-step`));
      assert.equal(inside.status, 404);
      assert.match(inside.document.querySelector('title')?.text ?? '', / · Notes by Acme$/);
      const unknown = expectPage(await browser.get(`${server.url}/interaction/not-a-sign-in-uid`));
      assert.match(unknown.document.querySelector('title')?.text ?? '', / · Acme$/);
      const img = doc.querySelector('header.brand img');
      assert.equal(img?.getAttribute('alt'), 'Notes by Acme');
      const logoPath = img?.getAttribute('src') ?? '';
      assert.match(logoPath, /^\/branding\/logo\/[0-9a-f]{16}$/, 'served by Gatehouse');
      const logo = await get(logoPath);
      assert.equal(logo.headers.get('content-type'), 'image/svg+xml');
      assert.deepEqual(Buffer.from(await logo.arrayBuffer()), svg);
      const global = (await api.get('/branding')).body;
      assert.equal(doc.querySelector('link[rel=icon]')?.getAttribute('href'), `/favicon.ico?v=${global.logo.version}`, 'an SVG logo of unknown shape is not the icon: the global one stays');

      const stylesheet = doc.querySelector('link[rel=stylesheet]')?.getAttribute('href') ?? '';
      assert.match(stylesheet, /^\/assets\/gatehouse\.css\?app=notes-web&v=[0-9a-f]{16}$/);
      const css = await get(stylesheet);
      assert.equal(css.headers.get('cache-control'), 'public, max-age=31536000, immutable', 'the current version');
      const text = await css.text();
      assert.match(text, /--accent: #0f766e;/);
      assert.match(text, /--background: #f0fdfa; --text: #000000;/);
      assert.match(text, /color-scheme: light;/);
      const { error, link } = textContrasts(text);
      assert.ok(error >= 4.5 && link >= 4.5, `error ${error}, links ${link}`);

      assert.equal(page.headers.get('content-security-policy'), pagesCsp);
      assert.doesNotMatch(page.body, /style=|<style/i, 'no inline style: the colours are in the stylesheet');
      assert.doesNotMatch(page.body, new RegExp(site.origin.replace(/[.:/]/g, '\\$&')), 'the page names no other site');
    });

    test('another application\'s login page keeps the global branding, with the same CSP', async () => {
      const { page } = await onLoginPage(server, plain, 'openid');
      const doc = page.document;
      assert.equal(doc.querySelector('title')?.text, 'Sign in · Acme');
      const global = (await api.get('/branding')).body;
      assert.equal(doc.querySelector('header.brand img')?.getAttribute('src'), global.logo.path);
      assert.equal(doc.querySelector('header.brand img')?.getAttribute('alt'), 'Acme');
      assert.equal(doc.querySelector('link[rel=icon]')?.getAttribute('href'), `/favicon.ico?v=${global.logo.version}`);
      const stylesheet = doc.querySelector('link[rel=stylesheet]')?.getAttribute('href') ?? '';
      assert.match(stylesheet, /^\/assets\/gatehouse\.css\?v=[0-9a-f]{16}$/);
      const text = await (await get(stylesheet)).text();
      assert.match(text, /--accent: #1d4ed8;/);
      assert.match(text, /--background: Canvas;/);
      assert.equal(page.headers.get('content-security-policy'), pagesCsp);
      // Outside any sign-in, the home page too.
      const home = await (await fetch(`${server.url}/`, { headers: { accept: 'text/html' } })).text();
      assert.match(home, /<title>[^<]*Acme<\/title>/);
    });

    test('a square logo is the icon; on a dark background the error red and the links are shaded to read at 4.5:1', async () => {
      const dark = { logo_uri: `${site.origin}/logo.png`, primary_color: '#0f766e', background_color: '#0f172a' };
      const created = await api.post('/applications', { ...publicApp('dark-web', 'Dark'), branding: dark });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const config = await oidc.discovery(new URL(server.issuer), 'dark-web', undefined, oidc.None(), insecure);
      const doc = (await onLoginPage(server, config, 'openid')).page.document;
      const logoPath = doc.querySelector('header.brand img')?.getAttribute('src');
      assert.match(logoPath ?? '', /^\/branding\/logo\/[0-9a-f]{16}$/);
      assert.equal(doc.querySelector('link[rel=icon]')?.getAttribute('href'), logoPath, 'the 1×1 PNG logo is the icon');
      const text = await (await get(doc.querySelector('link[rel=stylesheet]')?.getAttribute('href') ?? '')).text();
      assert.match(text, /--background: #0f172a; --text: #ffffff;/);
      assert.match(text, /color-scheme: dark;/);
      const { error, link } = textContrasts(text);
      assert.ok(error >= 4.5, `error red ${error}:1`);
      assert.ok(link >= 4.5, `links ${link}:1, where the accent alone has ${contrastBetween('#0f766e', '#0f172a')}:1`);
      assert.doesNotMatch(text, /--error: #b91c1c;/, 'not the light pages\' red');
    });

    test('bad values are refused with the field named, and nothing is stored', async () => {
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ primary_color: '#ffff00' }, 'body.branding.primary_color', /contrast ratio of 1\.\d\d:1 with white text/],
        [{ primary_color: 'teal' }, 'body.branding.primary_color', /#rrggbb/],
        [{ primary_color: '#1d4ed8', background_color: '#1e3a8a' }, 'body.branding.background_color', /with primary_color, below the 3:1/],
        [{ primary_color: '#1d4ed8', background_color: 'white' }, 'body.branding.background_color', /#rrggbb/],
        [{ background_color: '#f0fdfa' }, 'body.branding.background_color', /needs a primary_color of the application's own/],
        [{ name: ' ' }, 'body.branding.name', /blank/],
        [{ logo_uri: 'ftp://example.com/logo.png' }, 'body.branding.logo_uri', /https/],
        [{ logo_uri: `${site.origin}/gone.png` }, 'body.branding.logo_uri', /answered HTTP 404/],
        [{ logo_uri: `${site.origin}/not-an-image.png` }, 'body.branding.logo_uri', /is not a PNG, JPEG, GIF, WebP or SVG image/],
        [{ colour: '#000000' }, 'body.branding.colour', /not a field/],
      ];
      for (const [branding, field, reason] of cases) {
        const answer = await api.put('/applications/notes-web', { ...notesSettings, branding });
        assert.equal(answer.status, 400, `${JSON.stringify(branding)}: ${JSON.stringify(answer.body)}`);
        const detail = answer.body.details?.find((each: { path: string }) => each.path === field);
        assert.ok(detail, `${JSON.stringify(branding)} names ${field}: ${JSON.stringify(answer.body.details)}`);
        assert.match(detail.message, reason);
      }
      assert.deepEqual((await api.get('/applications/notes-web')).body.branding, branded(), 'unchanged');
    });

    test('the site\'s icon: the global logo when it is a small square, else Gatehouse\'s own in the primary colour', async () => {
      const global = (await api.get('/branding')).body;
      const icon = await get(`/favicon.ico?v=${global.logo.version}`);
      assert.equal(icon.status, 200);
      assert.equal(icon.headers.get('content-type'), 'image/png');
      assert.equal(icon.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.deepEqual(Buffer.from(await icon.arrayBuffer()), png, 'the 1×1 PNG logo');
      assert.equal((await api.put('/branding', { logo_url: `${site.origin}/logo.svg` })).status, 200);
      const own = await get('/favicon.ico');
      assert.equal(own.status, 200);
      assert.equal(own.headers.get('content-type'), 'image/svg+xml');
      assert.match(await own.text(), /^<svg [^>]*>.*fill="#1d4ed8"/, 'an SVG logo of unknown shape is not the icon');
    });

    test('a screenshot of the branded login page', { skip: skipWithoutChromium }, async () => {
      mkdirSync(screenshots, { recursive: true });
      const chromium = await launchChromium();
      try {
        const page = await chromium.newPage({ viewport: { width: 480, height: 760 } });
        const { url } = await startAuthorization(notes, 'openid');
        await page.goto(url.toString());
        assert.equal(await page.title(), 'Sign in · Notes by Acme');
        // A string, run in the page: this file is compiled without the DOM's types.
        const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
        assert.equal(background, 'rgb(240, 253, 250)');
        await page.screenshot({ path: path.join(screenshots, 'login-application.png'), fullPage: true });
      } finally {
        await chromium.close();
      }
    });
  });
}
