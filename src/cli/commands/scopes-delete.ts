import type { Command } from './command.js';

export const scopesDelete: Command = {
  words: ['scopes', 'delete'],
  arguments: ['<name>'],
  summary: 'remove a custom scope; applications can no longer ask for it',
  async run([name], context, io) {
    await context.services.scopes.deleteScope(context.actor, name!);
    io.stdout.write(`deleted scope "${name}"\n`);
  },
};
