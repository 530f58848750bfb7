import { GatehouseError } from '../../errors/gatehouse-error.js';
import { scopeInputSchema } from '../../scopes/scope-schema.js';
import type { Command } from './command.js';

export const scopesCreate: Command = {
  words: ['scopes', 'create'],
  arguments: ['<name>', '<description>', '<claim,claim...>'],
  summary: 'add a custom scope releasing the given user attributes as claims; running servers release it within seconds',
  async run([name, description, claims], context, io) {
    const parsed = scopeInputSchema.safeParse({ name, description, claims: claims!.split(',').map((claim) => claim.trim()).filter(Boolean) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new GatehouseError('invalid_request', `${issue.path.join('.') || 'scope'}: ${issue.message}`);
    }
    const scope = await context.services.scopes.createScope(context.actor, parsed.data);
    io.stdout.write(`created scope "${scope.name}" releasing ${scope.claims.join(', ')}\n`);
  },
};
