import { createBackgroundSends } from './account/recovery/background-sends.js';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { createAuditLog, type AuditLog } from './audit/audit-log.js';
import { createChangeLog } from './audit/change-log.js';
import { createMfaRequirement } from './mfa/mfa-requirement.js';
import { createPasskeyCeremonies, relyingPartyOf } from './mfa/passkey-ceremonies.js';
import { createMfaSignInQueries } from './db/queries/mfa-sign-ins.js';
import { bootstrap } from './bootstrap.js';
import { defaults } from './config/defaults.js';
import type { GatehouseConfig } from './config/load.js';
import type { Storage } from './db/database.js';
import { startChangeListener, type ChangeListener } from './db/change-listener.js';
import { stateChannels } from './db/queries/engine-state.js';
import { sweepOnOneInstance, type SweepResult } from './db/sweep-expired.js';
import { clientIpOf } from './http/request-context.js';
import { startRotationSchedule } from './keys/rotation-schedule.js';
import { createMetrics } from './observability/metrics.js';
import { createEngineHolder, type EngineHolder, type EngineState } from './oidc/engine-holder.js';
import { createClientValidator, createProvider } from './oidc/provider.js';
import { systemClock, type Clock } from './runtime/clock.js';
import { randomIds, type IdGenerator } from './runtime/ids.js';
import { createLogger } from './runtime/logger.js';
import { createServices, type Services } from './services.js';
import { applyDeclarations, type ApplyReport } from './setup/apply-declarations.js';
import { readDeclarations } from './setup/config-file.js';
import { ensureAdministrator, type AdminReport } from './setup/ensure-admin.js';
import { createPartnerSignIn } from './sign-in/jwt/partner-sign-in.js';
import { createUpstreamSignIn, createTestSignInUrl } from './sign-in/oidc/upstream-sign-in.js';
import { createPasswordSignIn } from './sign-in/password-sign-in.js';
import type { PasswordHasher } from './users/password-hasher.js';

export interface GatehouseDeps {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** An open database; by default one is opened from the configuration. */
  storage?: Storage;
  hasher?: PasswordHasher;
}

/** What this start did that an operator must hear about once. */
export interface StartupReport {
  freshSecret: boolean;
  admin: AdminReport | undefined;
  applied: ApplyReport;
  storage: 'sqlite' | 'postgres';
  /** Where mail goes, for the banner; null while email is not configured. */
  email: { host: string; port: number; tls: string; from: string } | null;
}

export interface Gatehouse {
  app: FastifyInstance;
  services: Services;
  startup: StartupReport;
  /** The audit log's writer: what requests record waits there until it is written (flush, for a test that reads it at once). */
  audit: AuditLog;
  /** The periodic sweep, run now: expired rows and the audit events past their retention; skipped while another instance sweeps. */
  sweep(): Promise<SweepResult>;
  /** Resolves once the work routes do after their answer (the forgot-password message) has settled. */
  settled(): Promise<void>;
}

/**
 * A start of Gatehouse, in order: storage, secret and keys; the services; the configuration
 * file and the first administrator; the protocol engine; the HTTP application, not listening
 * (main.ts listens, tests listen on a free port).
 */
export async function createGatehouse(config: GatehouseConfig, deps: GatehouseDeps = {}): Promise<Gatehouse> {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const declarations = await readDeclarations(config.configFile);
  const boot = await bootstrap(config, { clock, ids, logger, ...(deps.storage ? { storage: deps.storage } : {}) });
  let engine: EngineHolder | undefined;
  let services: Services | undefined;
  let listener: ChangeListener | undefined;
  const { pool } = boot.storage;
  // Counted only where they can be read: without a scrape token nothing is timed, observed or collected on the hot path.
  const metrics = config.metricsToken === undefined ? undefined : createMetrics({ auditQueued: () => audit.queued(), ...(pool ? { pool: () => pool } : {}) });
  // Requests record into it; management changes are recorded by their commands, in their transactions.
  const audit = createAuditLog({ db: boot.storage.db, clock, ids, logger, ...(metrics ? { observer: metrics.auditObserver } : {}) });
  try {
    const { db } = boot.storage;
    const publicOrigin = config.publicUrl.origin;
    services = createServices({
      db, box: boot.box, clock, ids, security: declarations.security, ...(deps.hasher ? { hasher: deps.hasher } : {}),
      connections: { allowPrivateUpstreams: config.allowPrivateUpstreams, publicOrigin, testSignInUrl: createTestSignInUrl({ box: boot.box, clock, publicOrigin }) },
    });
    const signIn = await createPasswordSignIn({ users: services.users, protection: services.protection, hasher: services.hasher, audit });
    const upstreamSignIn = createUpstreamSignIn({
      db, box: boot.box, clock, logger, publicOrigin, connections: services.connections, identities: services.identities, users: services.users, audit,
    });
    const partnerSignIn = createPartnerSignIn({
      db, box: boot.box, clock, logger, issuer: config.issuer, publicOrigin, connections: services.connections, keys: services.partnerKeys,
      identities: services.identities, users: services.users, audit,
    });
    const requirementFor = createMfaRequirement({ settings: services.mfa.settings, factors: services.mfa.factors, users: services.users });
    const engineDeps = {
      issuer: config.issuer, db, clock, logger, applications: services.applications, users: services.users, signIn,
      clientIp: clientIpOf, clientAuthLimits: services.protection.clients, federatedSessions: upstreamSignIn.federatedSessions, audit, requirementFor,
    };
    const buildEngine = (state: EngineState) => createProvider(engineDeps, state);
    const applied = await applyDeclarations(services, declarations, {
      source: config.configFile ?? '',
      validatorFor: async (tx) => createClientValidator(buildEngine(await tx.engineSource.load())),
    });
    const admin = await ensureAdministrator(services.users, config.adminPassword);
    const buildServed = (state: EngineState) => {
      metrics?.engineBuilt();
      return buildEngine(state);
    };
    engine = await createEngineHolder({ source: services.engineSource, build: buildServed, checkEverySeconds: defaults.engineCheckSeconds, logger });
    const holder = engine;
    const applications = services.applications;
    const followApplications = () => {
      applications.followChanges().catch((error: unknown) => logger.debug({ err: error }, 'checking for changed applications failed'));
    };
    if (boot.storage.dialect === 'postgres' && config.databaseUrl) {
      listener = await startChangeListener({
        url: config.databaseUrl, channels: { [stateChannels.engine]: () => holder.changed(), [stateChannels.applications]: followApplications }, logger,
        retryMilliseconds: defaults.changeListenerRetryMilliseconds, retryMaxMilliseconds: defaults.changeListenerRetryMaxMilliseconds,
      });
    }
    // Passkeys are bound to the host name of the public URL: moving Gatehouse to another name leaves them behind.
    const relyingParty = relyingPartyOf(config.publicUrl);
    const passkeys = createPasskeyCeremonies({ db, clock, changes: createChangeLog({ clock, ids }), relyingParty: () => relyingParty });
    const background = createBackgroundSends();
    const app = await buildApp({
      config, logger, services, engine: holder, signIn, upstreamSignIn: upstreamSignIn.method, partnerSignIn, audit, requirementFor, passkeys,
      mfaSignIns: createMfaSignInQueries(db), background, ...(metrics ? { metrics } : {}),
    });

    // Where mail goes, for the start banner; read before any timer starts, so a failure leaves none behind.
    const smtp = (await services.email.settings.get()).smtp;
    // The engine's check (engine-holder.ts) reports an outage; this one, on the same database, need not again.
    const applicationCheck = setInterval(followApplications, defaults.engineCheckSeconds * 1000);
    applicationCheck.unref();
    const sweep = () => sweepOnOneInstance(db, clock, { auditRetentionDays: declarations.audit.retentionDays });
    const sweeper = setInterval(() => {
      sweep().catch((error: unknown) => logger.warn({ err: error }, 'sweep of expired rows failed'));
    }, defaults.sweepIntervalSeconds * 1000);
    sweeper.unref();
    const rotation = startRotationSchedule({ keys: services.keys, logger, everySeconds: defaults.keys.stepIntervalSeconds });
    // The outbox: every instance sends what is due; a claim keeps two from sending one message.
    // Non-null: services over the top-level handle always have one (email-services.ts).
    const sender = services.email.sender!;
    // One run at a time: a tick that finds the previous run still sending (a slow mail server) skips.
    let sending: Promise<unknown> | undefined;
    const mailer = setInterval(() => {
      if (sending) return;
      sending = sender.sendDue().then((report) => {
        if (report.retried + report.failed > 0) logger.warn({ ...report }, 'some email could not be sent (GET /api/v1/email/outbox says why)');
        if (report.lost > 0) logger.warn({ ...report }, 'a send outlasted its claim: another instance may send that email again');
      }, (error: unknown) => logger.warn({ err: error }, 'sending queued email failed')).finally(() => {
        sending = undefined;
      });
    }, defaults.email.sendIntervalSeconds * 1000);
    mailer.unref();
    const started = services;
    // Fastify's own onClose, added when the app became ready, runs before this one: the listener has
    // closed and every request has been answered, so every event a request recorded is queued by now.
    app.addHook('onClose', async () => {
      clearInterval(sweeper);
      clearInterval(applicationCheck);
      clearInterval(mailer);
      // Mail a route queued after its answer reaches the outbox before the sender stops and the database closes.
      await background.settled();
      // A send under way finishes (its claim settled) before the database closes; the rest of its batch is left for later.
      await sender.stop();
      await rotation.stop();
      await listener?.stop();
      await holder.stop();
      await audit.close();
      await started.close();
      await boot.close();
    });
    return { app, services, audit, sweep, settled: () => background.settled(), startup: {
      freshSecret: boot.freshSecret, admin, applied, storage: boot.storage.dialect,
      email: smtp && { host: smtp.host, port: smtp.port, tls: smtp.tls, from: smtp.from.address },
    } };
  } catch (error) {
    await listener?.stop();
    await engine?.stop();
    await audit.close();
    await services?.close();
    await boot.close();
    throw error;
  }
}
