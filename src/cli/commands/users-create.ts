import { randomBytes } from 'node:crypto';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { userInputSchema } from '../../users/user-schema.js';
import { readNewPassword } from '../read-password.js';
import { listOption, stringOption, UsageError, type Command } from './command.js';
import { invalidInput } from './invalid-input.js';

const optionOf: Record<string, string> = { email: 'email', name: 'name', groups: 'group' };

/** A random password the policy accepts: 24 characters from 18 random bytes, more when the policy asks for more. */
function generatePassword(minimumLength: number): string {
  return randomBytes(Math.max(18, Math.ceil((minimumLength * 3) / 4))).toString('base64url');
}

export const usersCreate: Command = {
  words: ['users', 'create'],
  arguments: ['<username>'],
  argumentHelp: { '<username>': 'the user name people sign in with (any case; compared case- and width-insensitively)' },
  summary: 'create a user, with a password read from standard input, a generated one printed once, or none',
  details: 'The fields are checked as the configuration file\'s users are; an email another user has, or a user name '
    + 'taken in any spelling, is refused. With --password the password is read as users set-password reads it: typed '
    + 'twice on a terminal, or piped (one trailing newline dropped), never from the command line; it must meet the '
    + 'password policy. With --generate-password a random one is printed once. Without either the user has no password '
    + 'and signs in through a connection until users set-password gives one.',
  options: [
    { name: 'email', value: '<address>', description: 'the email address (a sign-in identifier too)' },
    { name: 'name', value: '<name>', description: 'the full name (the name claim)' },
    { name: 'group', value: '<group>', repeatable: true, description: 'a group the user is in (the groups claim)' },
    { name: 'password', description: 'read the password from standard input (typed twice on a terminal)' },
    { name: 'generate-password', description: 'generate a password and print it once' },
  ],
  examples: [
    'gatehouse users create alice --email alice@example.com --name "Alice Liddell" --group staff --password',
    'printf %s "$PASSWORD" | gatehouse users create bob --password',
    'gatehouse users create carol --generate-password',
  ],
  checkLine(_args, options) {
    if (options.password && options['generate-password']) throw new UsageError('give --password or --generate-password, not both');
  },
  async run([username], context, io, options) {
    const given = { username, email: stringOption(options, 'email'), name: stringOption(options, 'name'), groups: listOption(options, 'group') };
    const parsed = userInputSchema.safeParse(Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)));
    if (!parsed.success) throw invalidInput(`user "${username}"`, parsed.error.issues, optionOf);
    // Asked before a password is typed, so that nobody types one for nothing.
    const taken = await context.services.users.findByUsername(username!);
    if (taken) throw new GatehouseError('conflict', `user name "${taken.username}" is taken`);
    const generated = options['generate-password'] ? generatePassword(context.declarations.security.passwordMinLength) : undefined;
    const password = generated ?? (options.password ? await readNewPassword(io) : undefined);
    const { email, name, groups } = parsed.data;
    const { user } = await context.services.users.createUser(context.actor, {
      username: parsed.data.username, email, profile: name === undefined ? {} : { name }, groups,
      ...(password === undefined ? {} : { credential: { password } }),
    });
    io.stdout.write(`created user "${user.username}"${user.email ? ` <${user.email}>` : ''}${password === undefined ? ' without a password' : ''}\n`);
    if (generated) {
      io.stdout.write(`password: ${generated}\n`);
      io.stdout.write('  (shown this once: only its hash is stored)\n');
    }
  },
};
