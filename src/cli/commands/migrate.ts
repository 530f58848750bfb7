import { loadConfig, type GatehouseConfig } from '../../config/load.js';
import { migrateToLatest } from '../../db/migrate.js';
import { openStorage, sqliteFileOf } from '../../db/open-storage.js';
import type { StandaloneCommand } from './command.js';

/** Where the database is, without the credentials a PostgreSQL URL may carry. */
export function describeDatabase(config: Pick<GatehouseConfig, 'databaseUrl' | 'dataDir'>): string {
  if (!config.databaseUrl) return `the SQLite database ${sqliteFileOf(config.dataDir)}`;
  const url = new URL(config.databaseUrl);
  return `the PostgreSQL database ${url.pathname.slice(1) || '(default)'} on ${url.host}`;
}

export const migrate: StandaloneCommand = {
  words: ['migrate'],
  arguments: [],
  needs: 'environment',
  summary: 'apply the pending database migrations and name them',
  details: 'Every start applies pending migrations itself; this applies them ahead of a start, e.g. as a deployment step '
    + 'before new instances replace old ones. It changes the schema only, of the database the server would use '
    + '(DATABASE_URL, or the SQLite file in GATEHOUSE_DATA_DIR, created when absent): the configuration file is not '
    + 'applied, and no key or master secret is created. Concurrent migrations (and starts) wait for one another.',
  examples: ['DATABASE_URL=postgres://gatehouse@db.internal/gatehouse gatehouse migrate'],
  async run(_args, env, io) {
    const config = loadConfig(env);
    const storage = openStorage(config);
    try {
      const applied = await migrateToLatest(storage.db);
      const where = describeDatabase(config);
      if (applied.length === 0) {
        io.stdout.write(`no migrations were pending: ${where} is up to date\n`);
      } else {
        io.stdout.write(`applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to ${where}:\n${applied.map((name) => `  ${name}\n`).join('')}`);
      }
    } finally {
      await storage.close();
    }
  },
};
