import { connectionUrls } from '../../connections/connection.js';
import type { Command } from './command.js';

export const connectionsList: Command = {
  words: ['connections', 'list'],
  arguments: [],
  summary: 'list the upstream identity providers, each with the redirect URI to register there',
  async run(_args, context, io) {
    const connections = await context.services.connections.list();
    if (connections.length === 0) io.stdout.write('no connections\n');
    for (const connection of connections) {
      const { redirectUri } = connectionUrls(context.publicUrl.origin, connection.id);
      io.stdout.write(`${connection.id}\t${connection.name}\t${connection.type}\t${connection.enabled ? 'enabled' : 'disabled'}\t${redirectUri}\n`);
    }
  },
};
