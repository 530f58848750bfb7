/*
 * `gatehouse serve --workers 2` (the built bin): two workers share the port under a supervisor
 * that prints one start banner, starts another worker in place of one killed while requests keep
 * being answered, and on SIGTERM to it alone stops every worker, answering what they had
 * accepted, and exits 0 leaving no process behind. A scrape of /metrics, whichever worker it
 * reaches, counts what both did. Workers that cannot start stop it with the reason. npm start's
 * bundle (dist/server/) forks its workers from where it lies too.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { runGatehouse, spawnGatehouse, spawnNpmStart } from '../../helpers/cli.js';
import { dialects } from '../../helpers/databases.js';
import { childrenOf, exitWithin, isRunning, untilReady, untilRefused } from '../../helpers/server-process.js';
import { tokenBurst } from '../audit/steps.js';
import { installation } from './installation.js';

const metricsToken = 'workers-metrics-token-0123456789abcdefghijklmnop';

/** GET /metrics on a connection of its own (no keep-alive), so that successive scrapes may reach different workers. */
function scrapeOnNewConnection(url: string, timeoutMilliseconds = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(`${url}/metrics`, { agent: false, headers: { authorization: `Bearer ${metricsToken}` } }, (answer) => {
      let text = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (text += chunk));
      answer.on('end', () => (answer.statusCode === 200 ? resolve(text) : reject(new Error(`/metrics answered ${answer.statusCode}: ${text}`))));
    });
    request.on('error', reject);
    request.setTimeout(timeoutMilliseconds, () => request.destroy(new Error('no answer in time')));
  });
}

/** The value of one series in Prometheus's text format, 0 when it is absent. */
function valueOf(exposition: string, series: string): number {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

for (const dialect of dialects) {
  describe(`gatehouse serve --workers 2 (${dialect})`, () => {
    let setup: Awaited<ReturnType<typeof installation>>;
    let primary: ChildProcess;
    let output: () => string = () => '';
    const seen = new Set<number>();
    const workers = () => {
      const pids = childrenOf(primary.pid!);
      for (const pid of pids) seen.add(pid);
      return pids;
    };

    before(async () => {
      setup = await installation(dialect);
      primary = spawnGatehouse(['serve', '--workers', '2'], { ...setup.env, GATEHOUSE_METRICS_TOKEN: metricsToken });
      ({ output } = await untilReady(primary));
    });
    after(async () => {
      for (const pid of [primary.pid!, ...seen]) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      await setup?.cleanup();
    });

    test('two workers and one start banner', async () => {
      assert.equal(workers().length, 2, output());
      assert.equal(output().match(/Gatehouse is ready/g)?.length, 1, output());
      await tokenBurst({ url: setup.url, issuer: `${setup.url}/oidc` }, 20);
      // Written before a worker is killed below: what a killed worker had not written yet is lost (docs/audit.md).
      while ((await setup.tokenEvents()) < 20) await new Promise((resolve) => setTimeout(resolve, 50));
    });

    test('a scrape of /metrics counts the tokens of both workers, whichever worker it reaches', async () => {
      const pids = workers().map(String).sort();
      // Each scrape on a connection of its own: the supervisor hands connections to the workers in turn.
      for (let scrape = 0; scrape < 4; scrape += 1) {
        const exposition = await scrapeOnNewConnection(setup.url);
        assert.equal(valueOf(exposition, 'gatehouse_token_issuances_total{grant_type="client_credentials"}'), 20, exposition);
        assert.equal(valueOf(exposition, 'gatehouse_scrape_workers{state="answered"}'), 2);
        assert.equal(valueOf(exposition, 'gatehouse_scrape_workers{state="missing"}'), 0);
        const processes = [...exposition.matchAll(/^process_start_time_seconds\{worker="(\d+)"\} /gm)].map((match) => match[1]).sort();
        assert.deepEqual(processes, pids, 'each worker\'s process metrics, labelled with its process id');
      }
    });

    test('a worker that does not answer is named as missing, and the scrape does not wait for it', async () => {
      const [stopped] = workers();
      process.kill(stopped!, 'SIGSTOP');
      try {
        const started = performance.now();
        let exposition: string | undefined;
        // A connection handed to the stopped worker is not answered: the next one goes to the other.
        while (exposition === undefined) exposition = await scrapeOnNewConnection(setup.url, 4000).catch(() => undefined);
        assert.ok(performance.now() - started < 15_000);
        assert.equal(valueOf(exposition, 'gatehouse_scrape_workers{state="answered"}'), 1, exposition);
        assert.equal(valueOf(exposition, 'gatehouse_scrape_workers{state="missing"}'), 1);
        assert.match(exposition, new RegExp(`^# gatehouse: worker\\(s\\) ${stopped} did not answer within 2000 ms`, 'm'));
        while (!output().includes(`"missingWorkers":[${stopped}]`)) await once(primary.stdout!, 'data');
      } finally {
        process.kill(stopped!, 'SIGCONT');
      }
    });

    test('a killed worker is replaced, and requests are answered meanwhile', async () => {
      const [killed, other] = workers();
      process.kill(killed!, 'SIGKILL');
      while (!output().includes(`worker ${killed} was killed by SIGKILL; starting another`)) await once(primary.stderr!, 'data');
      await tokenBurst({ url: setup.url, issuer: `${setup.url}/oidc` }, 20);
      while (!workers().some((pid) => pid !== other && pid !== killed)) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(isRunning(killed!), false);
    });

    test('SIGTERM to the supervisor alone: every worker drains, the audit log is written, exit 0 within 10 s, nothing left', async () => {
      await tokenBurst({ url: setup.url, issuer: `${setup.url}/oidc` }, 60);
      const exited = exitWithin(primary, 10, output);
      primary.kill('SIGTERM');
      await Promise.race([untilRefused(setup.port), exited]);
      assert.equal(await exited, 0, output());
      assert.deepEqual([...seen].filter(isRunning), [], 'workers left running');
      assert.equal(await setup.tokenEvents(), 100);
    });
  });
}

describe('gatehouse serve --workers 2 whose workers cannot start', () => {
  test('exits 1 with the reason, leaving nothing running', async () => {
    const setup = await installation('sqlite');
    const taken = createServer().listen(setup.port, '127.0.0.1');
    try {
      await once(taken, 'listening');
      const result = await runGatehouse(['serve', '--workers', '2'], setup.env);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^gatehouse: failed to start: (listen|bind) EADDRINUSE/m);
    } finally {
      taken.close();
      await setup.cleanup();
    }
  });
});

describe('npm start with GATEHOUSE_WORKERS=2 (the bundled server)', () => {
  test('the bundle forks its workers, which answer, and drains them on SIGTERM', async () => {
    const setup = await installation('sqlite');
    const primary = spawnNpmStart({ ...setup.env, GATEHOUSE_WORKERS: '2' });
    try {
      const { output } = await untilReady(primary);
      assert.equal(childrenOf(primary.pid!).length, 2, output());
      await tokenBurst({ url: setup.url, issuer: `${setup.url}/oidc` }, 10);
      const exited = exitWithin(primary, 10, output);
      primary.kill('SIGTERM');
      assert.equal(await exited, 0, output());
    } finally {
      if (isRunning(primary.pid!)) primary.kill('SIGKILL');
      await setup.cleanup();
    }
  });
});
