import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig, type GatehouseConfig } from '../../config/load.js';
import { openSqlite } from '../../db/connect.js';
import { createLogger } from '../../runtime/logger.js';
import type { StandaloneCommand } from './command.js';

const counted = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const configValidate: StandaloneCommand = {
  words: ['config', 'validate'],
  arguments: ['<file>'],
  argumentHelp: { '<file>': 'the configuration file (YAML or JSON), as GATEHOUSE_CONFIG would name it' },
  needs: 'environment',
  summary: 'check a configuration file as a start would, without a database; name each problem\'s entry and field',
  details: 'The file is read and applied as a start applies it (the same schema, the services\' rules, the protocol '
    + 'engine\'s client validation, the password policy of its security: section), but to an empty database in '
    + 'memory that is then thrown away: the configured database is neither opened nor needed. Rules that depend on the '
    + 'environment are those of this one (GATEHOUSE_ALLOW_PRIVATE_UPSTREAMS for connections\' addresses). Prints '
    + '"valid" and what the file declares, or the problems, each naming the entry (e.g. applications[1] ("notes")) and '
    + 'its field, with exit status 1. What only a database can tell is not checked: e.g. an email declared in the file '
    + 'that a user created through the command line already has.',
  examples: ['gatehouse config validate /etc/gatehouse/gatehouse.yaml'],
  async run([file], env, io) {
    const environment = loadConfig(env);
    const config: GatehouseConfig = {
      ...environment,
      configFile: path.resolve(file!),
      databaseUrl: undefined,
      // A secret of this check's own: nothing is read from or written to the data directory.
      secret: randomBytes(32).toString('base64url'),
      adminPassword: undefined,
      logLevel: 'silent',
    };
    const storage = openSqlite(':memory:');
    try {
      // Loaded when needed: the protocol engine is heavy, and most commands never build it.
      const { createGatehouse } = await import('../../gatehouse.js');
      const { app, startup } = await createGatehouse(config, { storage, logger: createLogger('silent') });
      await app.close();
      const { applications, users, scopes, connections } = startup.applied;
      io.stdout.write(`valid: ${config.configFile} declares ${counted(applications, 'application', 'applications')}, ${counted(users, 'user', 'users')}, `
        + `${counted(scopes, 'scope', 'scopes')} and ${counted(connections, 'connection', 'connections')}\n`);
    } finally {
      await storage.close();
    }
  },
};
