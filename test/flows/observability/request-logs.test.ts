/*
 * Every log line written while a request is served carries that request's id, whichever logger
 * wrote it (here a partner's refused token, logged by the sign-in method on the root logger, by a
 * GET and by a POST whose body is read first), the same id as the answer's X-Request-Id and only
 * once; and each request is logged by exactly one access line, written once it is answered, with
 * its path and never its query string.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { expectPage } from '../../helpers/browser.js';
import { jwtConnection } from '../jwt-sso/fixtures.js';
import { callbackOf, departThroughButton, Person, startWorld, type World } from '../jwt-sso/steps.js';

interface LogEntry {
  msg: string;
  reqId?: string;
  method?: string;
  path?: string;
  route?: string;
  status?: number;
  responseTime?: number;
  ip?: string;
}

describe('request ids and access lines in the log', () => {
  const logLines: string[] = [];
  let world: World;

  before(async () => {
    world = await startWorld({ dialect: 'sqlite', logLines, connections: [jwtConnection('portal')] });
  });
  after(() => world?.close());

  const entries = () => logLines.map((line) => JSON.parse(line) as LogEntry);
  const accessLines = (reqId: string) => entries().filter((entry) => entry.reqId === reqId && entry.msg === 'request completed');
  /** Access lines are written once the answer has gone, which the client may see first. */
  async function untilLogged(reqId: string): Promise<void> {
    while (accessLines(reqId).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  test('a line the root logger writes during a request carries the request\'s id, by GET and by POST, the body late or not', async () => {
    const person = new Person(world);
    const { signInUrl } = await departThroughButton(world, person, 'portal');
    const byGet = expectPage(await person.returnWith(signInUrl, 'not-a-token-at-all'));
    const again = await departThroughButton(world, person, 'portal');
    const byPost = expectPage(await person.postBack(again.signInUrl, 'not-a-token-either'));

    // The body in a packet of its own, after a pause: read from the connection's events, outside the scope the first hook entered.
    const late = await departThroughButton(world, person, 'portal');
    const byLatePost = await new Promise<string>((resolve, reject) => {
      const body = new URLSearchParams({ token: 'not-a-token-late' }).toString();
      const sent = httpRequest(callbackOf(late.signInUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length), 'sec-fetch-site': 'cross-site', accept: 'text/html' },
      }, (answer) => {
        answer.resume();
        answer.on('end', () => resolve(String(answer.headers['x-request-id'])));
      });
      sent.on('error', reject);
      sent.flushHeaders();
      setTimeout(() => sent.end(body), 100);
    });

    for (const reqId of [byGet, byPost].map((answer) => answer.headers.get('x-request-id') ?? '').concat(byLatePost)) {
      assert.match(reqId, /^[0-9a-f-]{36}$/);
      await untilLogged(reqId);
      const refusals = entries().filter((entry) => entry.msg === 'partner sign-in token refused' && entry.reqId === reqId);
      assert.equal(refusals.length, 1, `the refusal is logged with the request's id:\n${logLines.join('')}`);
    }
  });

  test('no line names its request twice, and none is written when a request arrives', () => {
    for (const line of logLines) assert.ok((line.match(/"reqId"/g) ?? []).length <= 1, line);
    assert.ok(!entries().some((entry) => entry.msg === 'incoming request'));
  });

  test('one access line per request, once answered, with method, path, route, status, time and address, no query string', async () => {
    const marker = 'querymarker91';
    const answers = [
      { response: await fetch(`${world.server.url}/oidc/jwks?${marker}=1`), method: 'GET', path: '/oidc/jwks', route: '/oidc/jwks' },
      { response: await fetch(`${world.server.url}/api/v1/users/someone?${marker}=1`), method: 'GET', path: '/api/v1/users/someone', route: '/api/v1/users/:id' },
      { response: await fetch(`${world.server.url}/oidc/token?${marker}=1`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' }), method: 'POST', path: '/oidc/token', route: '/oidc/token' },
      { response: await fetch(`${world.server.url}/nothing/here?${marker}=1`), method: 'GET', path: '/nothing/here', route: 'unmatched' },
      // The router's own refusal, answered before any hook.
      { response: await fetch(`${world.server.url}/api/v1/users/${'x'.repeat(3000)}?${marker}=1`), method: 'GET', path: `/api/v1/users/${'x'.repeat(3000)}`, route: 'unmatched' },
    ];
    for (const { response, method, path, route } of answers) {
      await response.arrayBuffer();
      const reqId = response.headers.get('x-request-id') ?? '';
      await untilLogged(reqId);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const lines = accessLines(reqId);
      assert.equal(lines.length, 1, `exactly one access line for ${path}`);
      const [line] = lines;
      assert.deepEqual({ method: line!.method, path: line!.path, route: line!.route, status: line!.status, ip: line!.ip },
        { method, path, route, status: response.status, ip: '127.0.0.1' });
      assert.equal(typeof line!.responseTime, 'number');
      assert.equal(entries().filter((entry) => entry.reqId === reqId && entry.msg !== 'request completed' && entry.msg !== 'request failed').length, 0, 'nothing else is logged for it');
    }
    assert.ok(!logLines.some((line) => line.includes(marker)), 'no query string reaches the log');
  });
});
