import type { Command } from './command.js';

export const scopesList: Command = {
  words: ['scopes', 'list'],
  arguments: [],
  summary: 'list the custom scopes and the claims each releases',
  async run(_args, context, io) {
    const scopes = await context.services.scopes.list();
    if (scopes.length === 0) io.stdout.write('no custom scopes\n');
    for (const scope of scopes) io.stdout.write(`${scope.name}\t${scope.claims.join(',')}\t${scope.description}\n`);
  },
};
