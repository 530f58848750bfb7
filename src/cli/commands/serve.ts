import { GatehouseError, isGatehouseError } from '../../errors/gatehouse-error.js';
import type { StandaloneCommand } from './command.js';

export const serve: StandaloneCommand = {
  words: ['serve'],
  arguments: [],
  needs: 'environment',
  summary: 'start the server, as npm start does, until SIGINT or SIGTERM',
  details: 'Reads the environment (PORT, GATEHOUSE_HOST, GATEHOUSE_PUBLIC_URL, GATEHOUSE_DATA_DIR or DATABASE_URL and '
    + 'GATEHOUSE_SECRET, GATEHOUSE_CONFIG, …), applies pending migrations and the configuration file, listens and prints '
    + 'the start banner: the same start as npm start, through the same code. Ctrl-C or SIGTERM closes it.',
  examples: ['GATEHOUSE_PUBLIC_URL=https://id.example.com GATEHOUSE_CONFIG=gatehouse.yaml gatehouse serve'],
  async run(_args, env, io) {
    let code: number;
    try {
      const { serve: serveGatehouse } = await import('../../serve.js');
      code = await serveGatehouse(env, io.stdout, io.stderr);
    } catch (error) {
      if (isGatehouseError(error)) throw error;
      throw new GatehouseError('internal_error', `failed to start: ${(error as Error).message ?? String(error)}`, { cause: error });
    }
    if (code !== 0) throw new GatehouseError('internal_error', 'the server did not stop cleanly');
  },
};
