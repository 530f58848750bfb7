import { GatehouseError } from '../../errors/gatehouse-error.js';
import { readDeclarations } from '../../setup/config-file.js';
import type { Command } from './command.js';

export const connectionsDelete: Command = {
  words: ['connections', 'delete'],
  arguments: ['<id>'],
  summary: 'remove a connection the configuration file no longer declares; its users keep their accounts',
  async run([id], context, io) {
    // The next start applies the file again and would create it anew: it is retired there first.
    const declared = (await readDeclarations(context.configFile)).connections.some((connection) => connection.id === id);
    if (declared) {
      throw new GatehouseError('conflict', `connection "${id}" is declared in ${context.configFile}, and the next start would create it again: `
        + 'remove it from the file (or set enabled: false there) first');
    }
    await context.services.connections.deleteConnection(context.actor, id!);
    io.stdout.write(`deleted connection "${id}"; its users keep their accounts and can sign in another way\n`);
  },
};
