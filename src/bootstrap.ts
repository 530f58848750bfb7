import type { Logger } from 'pino';
import type { GatehouseConfig } from './config/load.js';
import { resolveMasterSecret } from './crypto/master-secret.js';
import { createSecretBox, type SecretBox } from './crypto/secret-box.js';
import type { Storage } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { openStorage } from './db/open-storage.js';
import { createChangeLog } from './audit/change-log.js';
import { createKeyService } from './keys/key-service.js';
import type { Clock } from './runtime/clock.js';
import { randomIds, type IdGenerator } from './runtime/ids.js';

export interface Bootstrapped {
  storage: Storage;
  box: SecretBox;
  /** True when this start generated the master secret: a fresh installation. */
  freshSecret: boolean;
  /** Closes the database unless the caller opened it. */
  close(): Promise<void>;
}

/**
 * What everything else stands on: the database (migrated), the master secret and the keys it
 * seals. Shared by the server and the command line.
 */
export async function bootstrap(
  config: GatehouseConfig,
  deps: {
    clock: Clock;
    /** The audit events' ids (the keys generated at a first start are recorded). */
    ids?: IdGenerator;
    logger?: Logger;
    storage?: Storage;
    /**
     * An installation that exists already (the CLI): generate neither a secret nor keys, and
     * prove that the secret opens the stored keys before any command writes with it.
     */
    existing?: boolean;
  },
): Promise<Bootstrapped> {
  const storage = deps.storage
    ?? openStorage(config, (error) => deps.logger?.warn({ err: error }, 'the database closed an idle connection'));
  const close = async () => {
    if (!deps.storage) await storage.close();
  };
  try {
    await migrateToLatest(storage.db);
    const secret = await resolveMasterSecret(config.secret, config.dataDir, { generate: !deps.existing });
    const box = createSecretBox(secret.value);
    const keys = createKeyService({ db: storage.db, box, clock: deps.clock, changes: createChangeLog({ clock: deps.clock, ids: deps.ids ?? randomIds }) });
    if (deps.existing) await keys.engineKeys();
    else await keys.ensure();
    return { storage, box, freshSecret: secret.generated, close };
  } catch (error) {
    await close();
    throw error;
  }
}
