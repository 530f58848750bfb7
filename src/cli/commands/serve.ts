import { defaults } from '../../config/defaults.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { UsageError, stringOption, type CommandOptions, type StandaloneCommand } from './command.js';

/** --workers as a number; undefined when absent (GATEHOUSE_WORKERS or its default decides). */
function workersOption(options: CommandOptions): number | undefined {
  const value = stringOption(options, 'workers');
  if (value === undefined) return undefined;
  const workers = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(workers >= 1 && workers <= defaults.maxWorkers)) throw new UsageError(`--workers must be a whole number from 1 to ${defaults.maxWorkers}`);
  return workers;
}

export const serve: StandaloneCommand = {
  words: ['serve'],
  arguments: [],
  needs: 'environment',
  summary: 'start the server, as npm start does, until SIGINT or SIGTERM',
  options: [
    { name: 'workers', value: '<n>', description: 'server processes sharing the port, restarted when one crashes (default: GATEHOUSE_WORKERS, else one per core with PostgreSQL and 1 on SQLite; 1 runs the server in this process)' },
  ],
  details: 'Reads the environment (PORT, GATEHOUSE_HOST, GATEHOUSE_PUBLIC_URL, GATEHOUSE_DATA_DIR or DATABASE_URL and '
    + 'GATEHOUSE_SECRET, GATEHOUSE_CONFIG, GATEHOUSE_WORKERS, …), applies pending migrations and the configuration file, listens and prints '
    + 'the start banner: the same start as npm start, through the same code. Ctrl-C or SIGTERM stops taking connections, '
    + `answers the requests already accepted, writes the audit log and exits 0; after ${defaults.drainSeconds} s it exits 1 without waiting longer.`,
  examples: [
    'GATEHOUSE_PUBLIC_URL=https://id.example.com GATEHOUSE_CONFIG=gatehouse.yaml gatehouse serve',
    'gatehouse serve --workers 4',
  ],
  checkLine(_args, options) {
    workersOption(options);
  },
  async run(_args, env, io, options) {
    const workers = workersOption(options);
    const { serve: serveGatehouse, startFailure } = await import('../../serve.js');
    let code: number;
    try {
      code = await serveGatehouse(env, io.stdout, io.stderr, workers === undefined ? {} : { workers });
    } catch (error) {
      throw startFailure(error);
    }
    if (code !== 0) throw new GatehouseError('internal_error', 'the server did not stop cleanly');
  },
};
