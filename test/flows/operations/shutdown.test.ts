/*
 * Gatehouse run the way the README says (`npm start`), stopped the way docker stop and systemd
 * stop it: SIGTERM to the process they started, npm, and to no other. The server stops taking
 * connections, answers the request it had accepted, writes the audit events of every request
 * before the signal, and exits 0 within docker's 10 s, leaving no process behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { secretOf } from '../../helpers/applications.js';
import { assertCurrentBuild } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { descendantsOf, exitWithin, isRunning, untilReady, untilRefused } from '../../helpers/server-process.js';
import { basicAuth } from '../../helpers/token-endpoint.js';
import { tokenBurst } from '../audit/steps.js';
import { installation } from './installation.js';

const repository = path.resolve(fileURLToPath(import.meta.url), '../../../..');

/** A token request whose headers the server has taken (it answered 100 Continue), its body short of the last byte. */
async function requestUnderWay(port: number): Promise<{ finish(): Promise<string> }> {
  const body = 'grant_type=client_credentials&scope=reports%3Aread';
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.write([
    'POST /oidc/token HTTP/1.1', `Host: 127.0.0.1:${port}`, `Authorization: ${basicAuth('m2m', secretOf('m2m')).authorization}`,
    'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${body.length}`, 'Expect: 100-continue', 'Connection: close', '', '',
  ].join('\r\n'));
  while (!received.includes('100 Continue')) await once(socket, 'data');
  socket.write(body.slice(0, -1));
  return {
    async finish() {
      const ended = once(socket, 'end');
      socket.write(body.slice(-1));
      await ended;
      return received.slice(received.indexOf('\r\n\r\n') + 4);
    },
  };
}

for (const dialect of dialects) {
  describe(`npm start, stopped by SIGTERM to npm alone (${dialect})`, () => {
    let setup: Awaited<ReturnType<typeof installation>>;
    let npm: ChildProcess;
    let output: () => string = () => '';
    let started: number[] = [];

    before(async () => {
      assertCurrentBuild();
      setup = await installation(dialect);
      // One worker: the server in npm's child itself (the supervisor's own stop is workers.test.ts's).
      npm = spawn('npm', ['start'], {
        cwd: repository,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...setup.env, GATEHOUSE_WORKERS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      ({ output } = await untilReady(npm));
      started = descendantsOf(npm.pid!);
    });
    after(async () => {
      // What npm started too, by its own ids: if npm left it behind, it is no longer npm's child.
      for (const pid of [npm.pid!, ...started]) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      await setup?.cleanup();
    });

    test('answers the request under way, stores the audit events of the requests before, exits 0 within 10 s, leaves nothing running', async () => {
      assert.ok(started.length > 0, 'npm started the server');
      await tokenBurst({ url: setup.url, issuer: `${setup.url}/oidc` }, 200);
      const underWay = await requestUnderWay(setup.port);

      npm.kill('SIGTERM');
      const exited = exitWithin(npm, 10, output);
      // npm gone at once (the signal not passed on, the server orphaned) is a failure to report, not to wait for.
      await Promise.race([untilRefused(setup.port), exited]);
      const answer = await underWay.finish();
      assert.equal(await exited, 0, output());
      assert.match(answer, /^HTTP\/1\.1 200 /, answer);
      assert.deepEqual(started.filter(isRunning), [], 'what npm started is still running');
      assert.doesNotMatch(output(), /audit events could not be written|are lost|exiting without them/);
      assert.equal(await setup.tokenEvents(), 201);
    });
  });
}
