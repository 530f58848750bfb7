import { normalizeIdentifier } from '../../users/normalize.js';
import type { User } from '../../users/user.js';
import type { CliContext } from '../cli-context.js';
import type { CliIo } from '../cli-io.js';
import type { Command } from './command.js';
import { findUser } from './find-user.js';

/**
 * The command line may change a declared user (docs/cli.md), but the file's `disabled` comes back
 * at the next start: the operator hears that, so that a disabled account is not enabled again unnoticed.
 */
function warnIfDeclared(context: CliContext, io: CliIo, user: User, disabled: boolean): void {
  const declaration = context.declarations.users.find((declared) => normalizeIdentifier(declared.username) === normalizeIdentifier(user.username));
  if (!declaration && user.owner !== 'config_file') return;
  if (declaration && declaration.disabled === disabled) return;
  io.stderr.write(`warning: "${user.username}" is declared in the configuration file${context.configFile ? ` (${context.configFile})` : ''}, `
    + `which the next start applies again: set disabled: ${disabled} in its entry there too, or the start ${disabled ? 'enables' : 'disables'} it again\n`);
}

export const usersDisable: Command = {
  words: ['users', 'disable'],
  arguments: ['<username>'],
  argumentHelp: { '<username>': 'the user name or email, in any spelling' },
  summary: 'disable a user: sign-ins are refused, and every session, grant and token it holds ends at once',
  details: 'A disabled user keeps its account, groups and links to connections, and users enable lets it sign in again '
    + '(its ended sessions and tokens do not come back). For a user the configuration file declares, the file\'s '
    + 'disabled: applies again at the next start: a warning says so.',
  examples: ['gatehouse users disable alice'],
  async run([identifier], context, io) {
    const user = await findUser(context, identifier!);
    if (user.disabled) {
      io.stdout.write(`"${user.username}" was disabled already\n`);
    } else {
      await context.services.users.disableUser(context.actor, user.id);
      io.stdout.write(`disabled "${user.username}": its sessions, grants and tokens have ended\n`);
    }
    warnIfDeclared(context, io, user, true);
  },
};

export const usersEnable: Command = {
  words: ['users', 'enable'],
  arguments: ['<username>'],
  argumentHelp: { '<username>': 'the user name or email, in any spelling' },
  summary: 'enable a disabled user again',
  details: 'It does not unlock an account that failed sign-ins locked (users unlock does). For a user the configuration '
    + 'file declares, the file\'s disabled: applies again at the next start: a warning says so.',
  examples: ['gatehouse users enable alice'],
  async run([identifier], context, io) {
    const user = await findUser(context, identifier!);
    if (!user.disabled) {
      io.stdout.write(`"${user.username}" was not disabled\n`);
    } else {
      await context.services.users.enableUser(context.actor, user.id);
      io.stdout.write(`enabled "${user.username}"\n`);
    }
    warnIfDeclared(context, io, user, false);
  },
};
