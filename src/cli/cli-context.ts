import { existsSync } from 'node:fs';
import { bootstrap } from '../bootstrap.js';
import { loadConfig, type GatehouseConfig } from '../config/load.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { sqliteFileOf } from '../db/open-storage.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Actor } from '../runtime/actor.js';
import { systemClock } from '../runtime/clock.js';
import { randomIds } from '../runtime/ids.js';
import { createServices, type Services } from '../services.js';
import { readDeclarations, type Declarations } from '../setup/config-file.js';
import { createTestSignInUrl } from '../sign-in/oidc/upstream-sign-in.js';

/** What an administrative command works with: the same services, database and settings as the server. */
export interface CliContext {
  services: Services;
  /** Who the command acts for, as its changes record it. */
  actor: Actor;
  /** The configuration file, whose declarations the next start applies again. */
  configFile: string | undefined;
  /** GATEHOUSE_PUBLIC_URL: where browsers reach the server, for the URLs a command shows. */
  publicUrl: URL;
  /** The whole environment's configuration, as the server reads it. */
  config: GatehouseConfig;
  /** What the configuration file declares now (validated), or nothing without one. */
  declarations: Declarations;
  /** The master secret's box, which the server's engine keys and sealed secrets are opened with. */
  box: SecretBox;
  close(): Promise<void>;
}

/**
 * The server's environment, configuration file and database, without the server: commands run
 * beside a running instance (SQLite waits for its write lock; PostgreSQL is shared anyway), and
 * a running server follows what they change.
 */
export async function openCliContext(env: NodeJS.ProcessEnv | undefined, command: string): Promise<CliContext> {
  const config = loadConfig(env);
  const declarations = await readDeclarations(config.configFile);
  assertDatabaseExists(config.databaseUrl, config.dataDir);
  const boot = await bootstrap(config, { clock: systemClock, existing: true });
  // The file's security settings (the password policy among them) apply to the command's changes as to the server's.
  const services = createServices({
    db: boot.storage.db, box: boot.box, clock: systemClock, ids: randomIds, security: declarations.security,
    connections: {
      allowPrivateUpstreams: config.allowPrivateUpstreams,
      publicOrigin: config.publicUrl.origin,
      // Signed with the master secret, so the running server accepts the link the command prints.
      testSignInUrl: createTestSignInUrl({ box: boot.box, clock: systemClock, publicOrigin: config.publicUrl.origin }),
    },
  });
  return {
    services,
    actor: { kind: 'cli', command },
    configFile: config.configFile,
    publicUrl: config.publicUrl,
    config,
    declarations,
    box: boot.box,
    async close() {
      await services.close();
      await boot.close();
    },
  };
}

/** Creating an empty database here would only hide a wrong GATEHOUSE_DATA_DIR. */
function assertDatabaseExists(databaseUrl: string | undefined, dataDir: string): void {
  const file = sqliteFileOf(dataDir);
  if (!databaseUrl && !existsSync(file)) {
    throw new GatehouseError('config_invalid', `no Gatehouse database at ${file}: set GATEHOUSE_DATA_DIR (or DATABASE_URL) as for the server`);
  }
}
