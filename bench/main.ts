/**
 * `npm run bench`: Gatehouse (built code, embedded SQLite, production settings) against the bare
 * engine, alternately (A B A B) with the same load; writes bench/results/latest.json. Flags:
 * --duration S (per round, 5) --connections N (20) --flows N (concurrent browsers, 8)
 * --rounds N (3) --scenarios a,b (names contain these, all by default) --sessions N (10000)
 * --profile (a --cpu-prof run of Gatehouse under client_credentials, summarised).
 * --workers N (the cores by default) for the scaling factor: client_credentials from one
 * process and from N workers. DATABASE_URL adds client_credentials and sign-in on PostgreSQL.
 */
import { cpus } from 'node:os';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { argon2VerifyRate, signingRate } from './ceilings.js';
import { hammer } from './load.js';
import { topSelfTime } from './profile.js';
import { combine, table, type ScenarioResult } from './report.js';
import { clientCredentialsOpaque, scenarios, signInScenario, type Load, type Scenario } from './scenarios.js';
import { measureScaling, scalingLine, type Scaling } from './scaling.js';
import { cloneSessions, rowCounts } from './storage.js';
import { rssMb, startGatehouse, startReference, type Target } from './targets.js';
import { machine } from './fixture.js';
import { basicAuth } from './sign-in-flow.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '20' },
    flows: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    scenarios: { type: 'string' },
    sessions: { type: 'string', default: '10000' },
    profile: { type: 'boolean', default: false },
    workers: { type: 'string' },
  },
});
const seconds = Number(flags.duration);
const warmUpSeconds = Math.min(2, seconds);
const rounds = Number(flags.rounds);
const load: Load = { connections: Number(flags.connections), flows: Number(flags.flows) };
const wanted = flags.scenarios?.split(',').map((s) => s.trim().toLowerCase());
const chosen = (list: Scenario[]) => list.filter((s) => !wanted || wanted.some((w) => s.name.toLowerCase().includes(w)));
const cores = cpus().length;
const workers = Number(flags.workers ?? cores);
const logDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-bench-logs-'));
const log = (message: string) => console.log(message);

log(`Ceilings on one core (servers not started yet)…`);
const ceilings = {
  RS256: await signingRate('RS256', 2),
  ES256: await signingRate('ES256', 2),
  argon2id: await argon2VerifyRate(3),
};
log(`  RS256 ${ceilings.RS256.toFixed(0)}/s, ES256 ${ceilings.ES256.toFixed(0)}/s, argon2id verify ${ceilings.argon2id.toFixed(1)}/s`);

const gatehouse = await startGatehouse({ logFile: path.join(logDir, 'gatehouse.log') });
const firstStartMs = gatehouse.startMs;
await new Promise((resolve) => setTimeout(resolve, 2000));
const idleRssMb = rssMb(gatehouse.process.pid!);
const reference = await startReference({ jwt: false, logFile: path.join(logDir, 'reference.log') });
const referenceJwt = await startReference({ jwt: true, logFile: path.join(logDir, 'reference-jwt.log') });
const referenceIdleRssMb = rssMb(reference.process.pid!);
log(`Gatehouse first start ${firstStartMs.toFixed(0)} ms, idle RSS ${idleRssMb} MB; reference idle RSS ${referenceIdleRssMb} MB`);
const rowsBefore = await rowCounts(gatehouse);

/** The highest RSS seen of each process while load runs. */
const peaks = new Map<number, number>();
const sampler = setInterval(() => {
  for (const target of [gatehouse, reference, referenceJwt]) {
    const pid = target.process.pid!;
    if (target.process.exitCode === null) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, rssMb(pid)));
  }
}, 250);

function ceilingOf(scenario: Scenario, gatehouseRps: number | undefined, referenceRps: number): ScenarioResult['ceiling'] {
  if (!scenario.ceiling) return undefined;
  if (scenario.ceiling === 'argon2id') {
    const perCore = (gatehouseRps ?? referenceRps) / cores;
    return {
      what: 'argon2id verify',
      perSecondOneCore: ceilings.argon2id,
      reading: `argon2id ${ceilings.argon2id.toFixed(1)}/s; Gatehouse ${perCore.toFixed(1)} sign-ins/s per core = ${(perCore / ceilings.argon2id).toFixed(2)}×`,
    };
  }
  const rate = ceilings[scenario.ceiling];
  return { what: `${scenario.ceiling} signing`, perSecondOneCore: rate, reading: `${scenario.ceiling} ${rate.toFixed(0)} signs/s; reference ${(referenceRps / rate).toFixed(2)}×` };
}

async function run(scenario: Scenario, subject: Target, suffix = ''): Promise<ScenarioResult> {
  const name = scenario.name + suffix;
  log(`${name}…`);
  const other = scenario.reference === 'jwt' ? referenceJwt : reference;
  const ours = scenario.gatehouseUnsupported ? undefined : await scenario.prepare(subject, load);
  const theirs = await scenario.prepare(other, load);
  // Unmeasured: the first seconds of a scenario run code the JIT has not compiled yet, on both sides.
  if (ours) await ours(warmUpSeconds);
  await theirs(warmUpSeconds);
  const a = [];
  const b = [];
  for (let round = 0; round < rounds; round += 1) {
    if (ours) a.push(await ours(seconds));
    b.push(await theirs(seconds));
  }
  const g = ours ? combine(a) : scenario.gatehouseUnsupported!;
  const r = combine(b);
  const result: ScenarioResult = { name, gatehouse: g, reference: r, ratio: typeof g === 'string' ? null : g.rps / r.rps };
  const ceiling = ceilingOf(scenario, typeof g === 'string' ? undefined : g.rps, r.rps);
  if (ceiling) result.ceiling = ceiling;
  log(`  Gatehouse ${typeof g === 'string' ? g : `${g.rps.toFixed(0)}/s p99 ${g.p99Ms.toFixed(1)} ms`}; reference ${r.rps.toFixed(0)}/s p99 ${r.p99Ms.toFixed(1)} ms`);
  return result;
}

const results: ScenarioResult[] = [];
for (const scenario of chosen(scenarios)) results.push(await run(scenario, gatehouse));
const underLoadRssMb = peaks.get(gatehouse.process.pid!) ?? NaN;
const referenceUnderLoadRssMb = peaks.get(reference.process.pid!) ?? NaN;
const rowsAfter = await rowCounts(gatehouse);

log(`${flags.sessions} live sessions…`);
const sessionCount = Number(flags.sessions);
let sessions: { count: number; gatehouseRssMb: number; referenceRssMb: number; how: string } | undefined;
if (rowsAfter.oidc_models !== undefined && (await rowCounts(gatehouse)).oidc_models! > 0) {
  try {
    cloneSessions(gatehouse, sessionCount);
    const created = await fetch(`${reference.origin}/bench/sessions?count=${sessionCount}`, { method: 'POST' });
    if (created.status !== 200) throw new Error(`reference: ${created.status}`);
    // A short load after they exist, so that whatever would grow with them has had the chance to.
    await hammer({ url: `${reference.issuer}/.well-known/openid-configuration` }, load.connections, 2);
    sessions = {
      count: sessionCount,
      // Measured below on the restarted Gatehouse: this process's memory is its high-water mark of every scenario before (argon2id's 19 MiB per verification among them).
      gatehouseRssMb: NaN,
      referenceRssMb: rssMb(reference.process.pid!),
      how: 'Gatehouse: copies of a real Session row with fresh ids, written to its SQLite file, then Gatehouse restarted on it and given the same short load; reference: the engine\'s Session model saved through its default memory adapter (an LRU of 1,000 entries), in the process that ran the scenarios',
    };
  } catch (error) {
    log(`  skipped: ${(error as Error).message}`);
  }
}
clearInterval(sampler);

log('Cold start (a restart on the same data)…');
await gatehouse.stop();
const restarted = await startGatehouse({ dataDir: gatehouse.dataDir!, logFile: path.join(logDir, 'gatehouse.log') });
const coldStartMs = restarted.startMs;
if (sessions) {
  await hammer({ url: `${restarted.issuer}/.well-known/openid-configuration` }, load.connections, 2);
  sessions.gatehouseRssMb = rssMb(restarted.process.pid!);
}

const scaling: Scaling[] = [];
const scalingWanted = chosen([clientCredentialsOpaque]).length > 0 && workers > 1;

/** client_credentials from `one` (a running one-process Gatehouse) and from as many workers, started on the same database. */
async function measureWorkers(storage: Scaling['storage'], one: Target, options: { dataDir?: string; databaseUrl?: string }, logName: string): Promise<void> {
  log(`Scaling: client_credentials from 1 process and from ${workers} workers (${storage}, the same database)…`);
  const many = await startGatehouse({ ...options, workers, logFile: path.join(logDir, logName) });
  try {
    scaling.push(await measureScaling(clientCredentialsOpaque, storage, workers, { one, many }, load, rounds, seconds, warmUpSeconds));
    log(`  ${scalingLine(scaling.at(-1)!)}`);
  } finally {
    await many.stop();
  }
}

try {
  if (scalingWanted) await measureWorkers('SQLite', restarted, { dataDir: gatehouse.dataDir! }, 'gatehouse-workers.log');
} finally {
  await restarted.stop();
}

const postgres: ScenarioResult[] = [];
if (process.env.DATABASE_URL) {
  const onPostgres = await startGatehouse({ databaseUrl: process.env.DATABASE_URL, workers: 1, logFile: path.join(logDir, 'gatehouse-pg.log') });
  try {
    for (const scenario of chosen([clientCredentialsOpaque, signInScenario])) postgres.push(await run(scenario, onPostgres, ' (PostgreSQL)'));
    if (scalingWanted) await measureWorkers('PostgreSQL', onPostgres, { databaseUrl: process.env.DATABASE_URL }, 'gatehouse-pg-workers.log');
  } finally {
    await onPostgres.stop();
  }
}

let profile: Awaited<ReturnType<typeof topSelfTime>> | undefined;
if (flags.profile) {
  log('Profile of Gatehouse under client_credentials…');
  const profileDir = path.join(here, 'results/profiles');
  await mkdir(profileDir, { recursive: true });
  const before = new Set(await readdir(profileDir));
  const profiled = await startGatehouse({ dataDir: gatehouse.dataDir!, logFile: path.join(logDir, 'gatehouse.log'), nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  await hammer({ url: `${profiled.issuer}/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(machine.clientId, machine.secret) }, body: 'grant_type=client_credentials' }, load.connections, seconds * rounds);
  await profiled.stop();
  const written = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (written[0]) profile = await topSelfTime(path.join(profileDir, written[0]), 25);
}

await reference.stop();
await referenceJwt.stop();

const all = [...results, ...postgres];
const report = {
  date: new Date().toISOString(),
  machine: { cores, cpu: cpus()[0]?.model, node: process.version },
  settings: { secondsPerRound: seconds, rounds, connections: load.connections, concurrentBrowsers: load.flows },
  ceilingsPerSecondOneCore: ceilings,
  scenarios: all,
  startup: { firstStartMs, coldStartMs },
  scaling,
  rssMb: { idle: idleRssMb, underLoadPeak: underLoadRssMb, withSessions: sessions, reference: { idle: referenceIdleRssMb, underLoadPeak: referenceUnderLoadRssMb } },
  rows: { before: rowsBefore, after: rowsAfter },
  profileTopSelfTime: profile,
  logs: logDir,
};
await mkdir(path.join(here, 'results'), { recursive: true });
await writeFile(path.join(here, 'results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);

log('');
log(table(all));
log('');
log(`Machine: ${cores} cores, ${report.machine.cpu}, Node ${process.version}; ${rounds} rounds of ${seconds} s, ${load.connections} connections, ${load.flows} concurrent browsers`);
log(`Start: first ${firstStartMs.toFixed(0)} ms (creates keys), restart ${coldStartMs.toFixed(0)} ms (spawn to the first 200 from /readyz)`);
log(`RSS MB: Gatehouse idle ${idleRssMb}, under load ${underLoadRssMb}${sessions ? `, with ${sessions.count} sessions ${sessions.gatehouseRssMb}` : ''}; reference idle ${referenceIdleRssMb}, under load ${referenceUnderLoadRssMb}${sessions ? `, with sessions ${sessions.referenceRssMb}` : ''}`);
for (const s of scaling) log(`Scaling: ${scalingLine(s)}`);
log(`Rows before → after: ${Object.keys(rowsAfter).filter((t) => rowsAfter[t] !== rowsBefore[t]).map((t) => `${t} ${rowsBefore[t] ?? 0} → ${rowsAfter[t]}`).join(', ')}`);
if (profile) for (const entry of profile.slice(0, 15)) log(`  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.fn}  ${entry.where}`);
log(`Written: bench/results/latest.json (server logs in ${logDir})`);
