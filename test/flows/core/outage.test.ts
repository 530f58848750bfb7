import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { expectPage, readForm, type Browser } from '../../helpers/browser.js';
import { onLoginPage } from '../../helpers/code-flow.js';
import { dialects } from '../../helpers/databases.js';
import { outageInternals as internals, takeDatabaseAway } from '../../helpers/outage.js';
import { alice } from '../../helpers/people.js';
import type { TestServer } from '../../helpers/start-server.js';
import { isGatehouseError } from '../../../src/errors/gatehouse-error.js';
import { startCoreServer, type RelyingParties } from './steps.js';

const loginForm = 'form[action$="/login"]';
const consentForm = 'form[action$="/consent"]';
const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
/** A request as the browser's form driver sends it, with its cookies, but with the Accept given. */
async function send(browser: Browser, url: string, accept: string, form?: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { accept, cookie: await browser.jar.getCookieString(url) };
  if (!form) return fetch(url, { headers, redirect: 'manual' });
  headers['content-type'] = 'application/x-www-form-urlencoded';
  return fetch(url, { method: 'POST', headers, body: new URLSearchParams(form).toString(), redirect: 'manual' });
}

function assertRetryAfter(response: Response, what: string) {
  assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/, `${what}: Retry-After in seconds`);
}

async function assertOutagePage(response: Response, what: string) {
  assert.equal(response.status, 503, what);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/, `${what}: an HTML page, never text/plain`);
  assertRetryAfter(response, what);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'.*frame-ancestors 'none'/, `${what}: the pages' CSP`);
  assert.match(response.headers.get('cache-control') ?? '', /no-store/, `${what}: never cached`);
  const body = await response.text();
  assert.match(body, /<title>The database cannot be reached · Gatehouse<\/title>/, `${what}: says what is wrong`);
  assert.doesNotMatch(body, internals, `${what}: no driver message or stack trace`);
}

async function assertOutageProblem(response: Response, what: string) {
  assert.equal(response.status, 503, what);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what}: a JSON problem, never text/plain`);
  assertRetryAfter(response, what);
  const text = await response.text();
  assert.doesNotMatch(text, internals, `${what}: no driver message or stack trace`);
  const problem = JSON.parse(text) as Record<string, unknown>;
  assert.equal(problem.code, 'storage_unavailable', what);
  assert.equal(problem.status, 503, what);
  assert.equal(problem.title, 'The database cannot be reached', what);
}

for (const dialect of dialects) {
  describe(`a database outage answers 503 storage_unavailable on Gatehouse's routes (${dialect})`, () => {
    let server: TestServer;
    let rp: RelyingParties;

    before(async () => ({ server, rp } = await startCoreServer(dialect)));
    after(() => server?.close());

    test('a constraint violation and an SQL mistake keep the driver\'s own error: only an outage is storage_unavailable', async () => {
      const storage = server.openStorage();
      try {
        const counter = { key: 'outage-test', failures: 0, window_started_at: 0, locked_until: null, lock_count: 0, expires_at: 0 };
        const twice = storage.db.transaction().execute(async (trx) => {
          await trx.insertInto('attempt_counters').values(counter).execute();
          await trx.insertInto('attempt_counters').values(counter).execute();
        });
        await assert.rejects(twice, (error: { code?: string }) => !isGatehouseError(error) && /^(SQLITE_CONSTRAINT|23505)/.test(error.code ?? ''));
        await assert.rejects(sql`select * from no_such_table`.execute(storage.db), (error) => !isGatehouseError(error));
      } finally {
        await storage.close();
      }
    });

    test('the login page answers 503 while PostgreSQL refuses connections: an HTML page for browsers, a JSON problem otherwise', { skip: dialect === 'postgres' ? false : 'SQLite readers are never blocked in WAL mode' }, async () => {
      const { browser, page } = await onLoginPage(server, rp.web, 'openid profile');
      const outage = await takeDatabaseAway(server, dialect);
      try {
        await assertOutagePage(await send(browser, page.url, browserAccept), 'GET /interaction/<uid> from a browser');
        await assertOutageProblem(await send(browser, page.url, 'application/json'), 'GET /interaction/<uid> asking for JSON');
        await assertOutageProblem(await send(browser, page.url, ''), 'GET /interaction/<uid> without Accept');
        assert.equal((await fetch(`${server.url}/readyz`)).status, 503, '/readyz says so too');
      } finally {
        await outage.end();
      }
      assert.equal(expectPage(await browser.get(page.url)).status, 200, 'the login page is served again');
    });

    test('a sign-in and a cancel answer 503 while the database cannot be written, and service resumes after it', async () => {
      const { browser, page } = await onLoginPage(server, rp.web, 'openid profile');
      const login = readForm(page, loginForm);
      const cancel = readForm(page, 'form[action$="/abort"]');
      const loginUrl = new URL(login.action, page.url).toString();
      const outage = await takeDatabaseAway(server, dialect);
      try {
        await assertOutagePage(await send(browser, loginUrl, browserAccept, { ...login.fields, ...alice }), 'POST …/login from a browser');
        await assertOutageProblem(await send(browser, loginUrl, 'application/json', { ...login.fields, ...alice }), 'POST …/login asking for JSON');
        await assertOutagePage(await send(browser, new URL(cancel.action, page.url).toString(), browserAccept, cancel.fields), 'POST …/abort from a browser');
        assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the process is alive');
      } finally {
        await outage.end();
      }
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200, 'ready once the database is back');
      const consent = expectPage(await browser.submit(page, loginForm, alice));
      assert.ok(consent.document.querySelector(consentForm), 'the same sign-in request goes on to consent');
    });
  });
}
