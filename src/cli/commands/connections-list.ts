import { callbackUrlOf } from '../../connections/connection.js';
import type { Command } from './command.js';

export const connectionsList: Command = {
  words: ['connections', 'list'],
  arguments: [],
  summary: 'list the upstream identity providers and partners, each with the URL to register there (redirect URI, or callback URL)',
  async run(_args, context, io) {
    const connections = await context.services.connections.list();
    if (connections.length === 0) io.stdout.write('no connections\n');
    for (const connection of connections) {
      const url = callbackUrlOf(context.publicUrl.origin, connection);
      io.stdout.write(`${connection.id}\t${connection.name}\t${connection.type}\t${connection.enabled ? 'enabled' : 'disabled'}\t${url}\n`);
    }
  },
};
