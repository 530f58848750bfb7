import type { Command } from './command.js';
import { findUser } from './find-user.js';

export const usersUnlock: Command = {
  words: ['users', 'unlock'],
  arguments: ['<username>'],
  summary: 'lift the lock that failed sign-ins put on an account, at once',
  async run([identifier], context, io) {
    const user = await findUser(context, identifier!);
    const lifted = await context.services.protection.accounts.unlockUser(context.actor, user.id);
    io.stdout.write(lifted ? `unlocked "${user.username}": its failed sign-ins are forgotten\n` : `"${user.username}" was not locked\n`);
  },
};
