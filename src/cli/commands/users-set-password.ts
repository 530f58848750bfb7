import { readNewPassword } from '../read-password.js';
import type { Command } from './command.js';
import { findUser } from './find-user.js';

export const usersSetPassword: Command = {
  words: ['users', 'set-password'],
  arguments: ['<username>'],
  summary: 'set a user\'s password, read from standard input and checked against the password policy',
  async run([identifier], context, io) {
    const user = await findUser(context, identifier!);
    const password = await readNewPassword(io);
    await context.services.users.setPassword(context.actor, user.id, password);
    io.stdout.write(`set the password of "${user.username}"\n`);
  },
};
