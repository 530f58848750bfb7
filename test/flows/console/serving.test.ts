import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import pino from 'pino';
import { consoleDirectory } from '../../../src/console/console-files.js';
import { consoleRoutes } from '../../../src/console/console-routes.js';
import { errorResponses } from '../../../src/http/error-responses.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

/** The budget for the console's first load. */
const firstLoadBudgetBytes = 200 * 1024;

describe('the console is served as a cacheable, compressed single-page application', () => {
  let server: TestServer;
  let index: string;

  before(async () => {
    server = await startServer();
    index = (await server.app.inject({ url: '/console/' })).body;
  });
  after(async () => server?.close());

  // inject, not fetch: fetch asks for compression itself and undoes it, and these tests are about exactly that.
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const answer = await server.app.inject({ url, headers });
    return { status: answer.statusCode, headers: new Headers(answer.headers as Record<string, string>), body: answer.rawPayload, text: () => answer.body };
  };
  const scripts = () => [...index.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
  const assetPaths = () => [...index.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map(([, href]) => href!);

  test('/console goes to /console/, whose page is never cached without asking and allows no inline script', async () => {
    const bare = await get('/console');
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/console/');

    const page = await get('/console/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.ok(scripts().length > 0);
    for (const tag of scripts()) assert.match(tag, /\bsrc="\/console\/assets\//, `every script is a file of the console: ${tag}`);
  });

  test('a screen\'s address, as a bookmark or the sign-in\'s callback, answers the same page', async () => {
    for (const pathname of ['/console/users/some-id', '/console/callback?code=x&state=y', '/console/audit?type=sign_in.succeeded']) {
      const answer = await get(pathname);
      assert.equal(answer.status, 200, pathname);
      assert.equal(answer.text(), index, pathname);
    }
  });

  test('hashed assets are sent compressed as the browser accepts, and kept for a year', async () => {
    const script = assetPaths().find((href) => href.endsWith('.js'))!;
    const plain = await get(script);
    const plainBytes = plain.body;
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(plain.headers.get('content-type') ?? '', /javascript/);

    const brotli = await get(script, { 'accept-encoding': 'br, gzip' });
    assert.equal(brotli.headers.get('content-encoding'), 'br');
    assert.match(brotli.headers.get('vary') ?? '', /accept-encoding/i);
    assert.ok(brotli.body.length < plainBytes.length / 2, 'brotli at least halves the script');

    const gzip = await get(script, { 'accept-encoding': 'gzip' });
    assert.equal(gzip.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(gunzipSync(gzip.body), plainBytes);
  });

  test(`the first load stays under ${firstLoadBudgetBytes / 1024} KB of compressed JavaScript`, async () => {
    let total = 0;
    for (const href of assetPaths().filter((p) => p.endsWith('.js'))) {
      const answer = await get(href, { 'accept-encoding': 'gzip' });
      assert.equal(answer.headers.get('content-encoding'), 'gzip');
      total += answer.body.length;
    }
    assert.ok(total > 0);
    assert.ok(total < firstLoadBudgetBytes, `${total} bytes of gzip JavaScript`);
  });

  test('an asset that is not there is a 404, and no path leaves the build', async () => {
    assert.equal((await get('/console/assets/nothing-here.js')).status, 404);
    // dist/console-app/assets/../../../package.json is the repository's package.json.
    for (const pathname of ['/console/assets/..%2f..%2f..%2fpackage.json', '/console/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json']) {
      const answer = await get(pathname);
      assert.ok(answer.status >= 400 && answer.status < 500, `${pathname}: ${answer.status}`);
      assert.doesNotMatch(answer.text(), /"name": "gatehouse"/);
    }
  });
});

describe('without a build', () => {
  test('the console is found only where the package has a dist/console-app with an index', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'gatehouse-console-'));
    await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'gatehouse' }));
    await mkdir(path.join(root, 'dist', 'server'), { recursive: true });
    assert.equal(consoleDirectory(path.join(root, 'dist', 'server')), undefined);
    await mkdir(path.join(root, 'dist', 'console-app'));
    await writeFile(path.join(root, 'dist', 'console-app', 'index.html'), '<!doctype html>');
    assert.equal(consoleDirectory(path.join(root, 'dist', 'server')), path.join(root, 'dist', 'console-app'));
  });

  test('/console says the console is not built, and the log tells the operator how to build it', async () => {
    const lines: string[] = [];
    const app = Fastify({ loggerInstance: pino({ level: 'warn' }, { write: (line: string) => lines.push(line) }) });
    await app.register(errorResponses);
    await app.register(consoleRoutes, { directory: undefined });
    const answer = await app.inject({ url: '/console/applications', headers: { accept: 'application/json' } });
    assert.equal(answer.statusCode, 503);
    assert.equal(answer.json().code, 'console_not_built');
    assert.equal(answer.json().title, 'The admin console is not built');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /npm run build/);
    await app.close();
  });
});
