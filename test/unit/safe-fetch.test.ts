import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isGatehouseError } from '../../src/errors/gatehouse-error.js';
import { classifyAddress, upstreamUrlProblem } from '../../src/outbound/address-policy.js';
import { createOutbound, type Outbound } from '../../src/outbound/safe-fetch.js';

/** A local stand-in for an upstream: each path answers as a test needs. */
function startUpstream(): Promise<{ server: Server; port: number; closed: () => number; connections: () => number }> {
  let closedEarly = 0;
  let connections = 0;
  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
    '/ok': (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer":"here"}'),
    '/echo': (request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end(`${request.method} ${body}`));
    },
    '/same-host': (_request, response) => response.writeHead(302, { location: '/ok' }).end(),
    '/other-host': (request, response) => response.writeHead(302, { location: `http://localhost:${(request.socket.address() as AddressInfo).port}/ok` }).end(),
    '/large-declared': (_request, response) => response.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)),
    '/large-streamed': (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write('x'.repeat(512)), 5);
      response.on('close', () => {
        clearInterval(timer);
        closedEarly += 1;
      });
    },
    '/slow': (_request, response) => {
      const timer = setTimeout(() => response.writeHead(200).end('late'), 3000);
      response.on('close', () => clearTimeout(timer));
    },
  };
  const server = createServer((request, response) => (routes[request.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(request, response));
  server.on('connection', () => (connections += 1));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    server, port: (server.address() as AddressInfo).port, closed: () => closedEarly, connections: () => connections,
  })));
}

async function refusal(attempt: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await attempt;
  } catch (error) {
    assert.ok(isGatehouseError(error), `a GatehouseError, not ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  assert.fail('the request was let through');
}

describe('outbound requests', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let base: string;
  let allowed: Outbound;
  let strict: Outbound;

  before(async () => {
    upstream = await startUpstream();
    base = `http://127.0.0.1:${upstream.port}`;
    allowed = createOutbound({ allowPrivate: true, timeoutMilliseconds: 300, maxResponseBytes: 1000 });
    strict = createOutbound({ allowPrivate: false });
  });
  after(async () => {
    await allowed.close();
    await strict.close();
    upstream.server.close();
  });

  test('a loopback upstream is reached when private upstreams are allowed, and the answer is a Response openid-client accepts', async () => {
    const response = await allowed.fetchFor('connection "okta"')(`${base}/ok`, { headers: { accept: 'application/json' } });
    assert.ok(response instanceof Response);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(await response.json(), { issuer: 'here' });
    const posted = await allowed.fetchFor('connection "okta"')(`${base}/echo`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code' }) });
    assert.equal(await posted.text(), 'POST grant_type=authorization_code');
  });

  test('without the setting, a loopback address is refused, by literal or after resolving a name, naming the requester and the host', async () => {
    const connectionsBefore = upstream.connections();
    const byLiteral = await refusal(strict.fetchFor('connection "okta"')(`https://127.0.0.1:${upstream.port}/ok`));
    assert.equal(byLiteral.code, 'upstream_address_refused');
    assert.match(byLiteral.message, /^connection "okta": 127\.0\.0\.1 is a loopback address; .*GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true/);
    const byName = await refusal(strict.fetchFor('connection "okta"')(`https://localhost:${upstream.port}/ok`));
    assert.equal(byName.code, 'upstream_address_refused');
    assert.match(byName.message, /^connection "okta": localhost resolves to an address Gatehouse may not reach: (127\.0\.0\.1|::1) is a loopback address/);
    const plain = await refusal(strict.fetchFor('connection "okta"')(`${base}/ok`));
    assert.match(plain.message, /plain http is allowed only to private addresses/);
    assert.equal(upstream.connections(), connectionsBefore, 'no connection was even opened');
  });

  test('addresses no identity provider can have are refused even when private upstreams are allowed', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0/', 'http://[::]/', 'http://[fe80::1]/', 'http://224.0.0.1/']) {
      const { code, message } = await refusal(allowed.fetchFor('connection "okta"')(url));
      assert.equal(code, 'upstream_address_refused', url);
      assert.match(message, /where no identity provider can be/, url);
    }
    const publicHttp = await refusal(allowed.fetchFor('connection "okta"')('http://8.8.8.8/'));
    assert.match(publicHttp.message, /8\.8\.8\.8 is a public address, and plain http is allowed only to private addresses: use https/);
  });

  test('no redirect is followed, within the host or to another, whatever the caller asks: it is refused naming where it leads', async () => {
    for (const redirect of ['follow', 'manual', 'error', undefined] as const) {
      const init = redirect === undefined ? {} : { redirect };
      const sameHost = await refusal(allowed.fetchFor('connection "okta"')(`${base}/same-host`, init));
      assert.equal(sameHost.code, 'upstream_failed');
      assert.equal(sameHost.message, `connection "okta": ${base}/same-host redirects to ${base}/ok (HTTP 302); Gatehouse follows no redirects: configure the URL it redirects to`);
      const otherHost = await refusal(allowed.fetchFor('connection "okta"')(`${base}/other-host`, init));
      assert.equal(otherHost.code, 'upstream_failed');
      assert.match(otherHost.message, /other-host redirects to http:\/\/localhost:\d+\/ok \(HTTP 302\); Gatehouse follows no redirects/);
    }
  });

  test('an answer larger than the limit is refused, and a streamed one is cut off instead of buffered', async () => {
    const declared = await refusal(allowed.fetchFor('connection "okta"')(`${base}/large-declared`));
    assert.equal(declared.code, 'upstream_failed');
    assert.match(declared.message, /answered with more than 1000 bytes/);
    const streamed = await refusal(allowed.fetchFor('connection "okta"')(`${base}/large-streamed`));
    assert.match(streamed.message, /answered with more than 1000 bytes/);
    for (let wait = 0; upstream.closed() === 0 && wait < 50; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(upstream.closed(), 1, 'the upstream saw the request end');
  });

  test('a server that does not answer in time is given up on, and the message says how long was waited', async () => {
    const started = Date.now();
    const { code, message } = await refusal(allowed.fetchFor('connection "okta"')(`${base}/slow`));
    assert.equal(code, 'upstream_failed');
    assert.match(message, /^connection "okta": 127\.0\.0\.1:\d+ did not answer within 0\.3 seconds/);
    assert.ok(Date.now() - started < 2000);
  });

  test('nothing listening is named as such', async () => {
    const closed = createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)));
    closed.close();
    const { code, message } = await refusal(allowed.fetchFor('connection "okta"')(`http://127.0.0.1:${port}/`));
    assert.equal(code, 'upstream_failed');
    assert.match(message, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: the connection was refused \\(ECONNREFUSED\\)`));
  });
});

describe('address classes', () => {
  test('IPv4 forms written in IPv6 are judged as the IPv4 address', () => {
    assert.equal(classifyAddress('::ffff:127.0.0.1').kind, 'private');
    assert.equal(classifyAddress('::ffff:10.0.0.1').kind, 'private');
    assert.equal(classifyAddress('::ffff:169.254.169.254').kind, 'never');
    assert.equal(classifyAddress('64:ff9b::a00:1').kind, 'private');
    assert.equal(classifyAddress('::ffff:93.184.215.14').kind, 'public');
  });

  test('each range is where it belongs', () => {
    const kinds = Object.fromEntries(['93.184.215.14', '2606:4700::1111', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '127.0.0.1', '::1', 'fd00::1',
      '169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', 'ff02::1', '255.255.255.255', '192.0.2.1', '2001:db8::1', '2002:a00:1::'].map((a) => [a, classifyAddress(a).kind]));
    assert.deepEqual(kinds, {
      '93.184.215.14': 'public', '2606:4700::1111': 'public',
      '10.1.2.3': 'private', '172.16.0.1': 'private', '192.168.1.1': 'private', '100.64.0.1': 'private', '127.0.0.1': 'private', '::1': 'private', 'fd00::1': 'private',
      '169.254.169.254': 'never', 'fe80::1': 'never', '0.0.0.0': 'never', '::': 'never', '224.0.0.1': 'never', 'ff02::1': 'never', '255.255.255.255': 'never',
      '192.0.2.1': 'never', '2001:db8::1': 'never', '2002:a00:1::': 'never',
    });
  });

  test('a configured URL must be https, http only for private hosts with the setting', () => {
    assert.equal(upstreamUrlProblem('https://idp.example.com/.well-known/openid-configuration', false), undefined);
    assert.match(upstreamUrlProblem('http://idp.example.com/', false)!, /must use https \(plain http is allowed only to private addresses, with GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true\)/);
    assert.equal(upstreamUrlProblem('http://idp.corp.internal/', true), undefined);
    assert.match(upstreamUrlProblem('http://8.8.8.8/', true)!, /plain http is allowed only to private addresses/);
    assert.match(upstreamUrlProblem('https://10.0.0.5/', false)!, /a private address; .*GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS=true/);
    assert.match(upstreamUrlProblem('ftp://idp.example.com/', true)!, /must use https/);
    assert.match(upstreamUrlProblem('idp.example.com', true)!, /not an absolute URL/);
    assert.match(upstreamUrlProblem('https://user:pw@idp.example.com/', true)!, /user name or password/);
  });
});
