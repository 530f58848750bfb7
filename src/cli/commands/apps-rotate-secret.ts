import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Command } from './command.js';

export const appsRotateSecret: Command = {
  words: ['apps', 'rotate-secret'],
  arguments: ['<client_id>'],
  argumentHelp: { '<client_id>': 'the application whose secret is replaced' },
  summary: 'give an application a new generated client secret, printed once; the old one stops working at once',
  details: 'The old secret is refused at the token endpoint (and wherever the application authenticates) from the moment '
    + 'this returns, on every instance. An application the configuration file declares is refused: the file is applied '
    + 'again at every start, so its secret is changed there (client_secret) and takes effect at the next start. A '
    + 'public client has no secret to rotate.',
  examples: ['gatehouse apps rotate-secret notes'],
  async run([clientId], context, io) {
    const application = await context.services.applications.find(clientId!);
    if (!application) throw new GatehouseError('not_found', `no application "${clientId}"`);
    const declared = application.owner === 'config_file' || context.declarations.applications.some((declaration) => declaration.client_id === clientId);
    if (declared) {
      throw new GatehouseError('conflict', `application "${clientId}" is declared in the configuration file${context.configFile ? ` (${context.configFile})` : ''}; `
        + 'change its client_secret there, and the next start applies it');
    }
    const secret = await context.services.applications.rotateClientSecret(context.actor, clientId!);
    io.stdout.write(`new client secret for "${clientId}"; the old one is refused from now on (running servers follow within a second)\n`);
    io.stdout.write(`client_secret: ${secret}\n`);
    io.stdout.write('  (shown this once: it is stored sealed and cannot be shown again)\n');
  },
};
