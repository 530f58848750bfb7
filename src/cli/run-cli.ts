import { isGatehouseError } from '../errors/gatehouse-error.js';
import { openCliContext } from './cli-context.js';
import type { CliIo } from './cli-io.js';
import { commandHelp, overview, parseCommandLine, usageLine } from './command-line.js';
import { appsCreate } from './commands/apps-create.js';
import { appsList } from './commands/apps-list.js';
import { appsRotateSecret } from './commands/apps-rotate-secret.js';
import { UsageError, type AnyCommand } from './commands/command.js';
import { configExport } from './commands/config-export.js';
import { configValidate } from './commands/config-validate.js';
import { connectionsDelete } from './commands/connections-delete.js';
import { connectionsList } from './commands/connections-list.js';
import { connectionsTest } from './commands/connections-test.js';
import { ipsUnblock } from './commands/ips-unblock.js';
import { keysList } from './commands/keys-list.js';
import { keysRotate } from './commands/keys-rotate.js';
import { mailTest } from './commands/mail-test.js';
import { migrate } from './commands/migrate.js';
import { scopesCreate } from './commands/scopes-create.js';
import { scopesDelete } from './commands/scopes-delete.js';
import { scopesList } from './commands/scopes-list.js';
import { serve } from './commands/serve.js';
import { usersCreate } from './commands/users-create.js';
import { usersDisable, usersEnable } from './commands/users-disable.js';
import { usersFactorsList, usersFactorsRemove } from './commands/users-factors.js';
import { usersImport } from './commands/users-import.js';
import { usersSetPassword } from './commands/users-set-password.js';
import { usersUnlock } from './commands/users-unlock.js';

/** Every command, in the order `gatehouse --help` lists them (grouped by their first word). */
const commands: AnyCommand[] = [
  serve, migrate,
  appsCreate, appsList, appsRotateSecret,
  usersCreate, usersImport, usersDisable, usersEnable, usersSetPassword, usersUnlock, usersFactorsList, usersFactorsRemove,
  ipsUnblock,
  scopesCreate, scopesList, scopesDelete,
  connectionsList, connectionsTest, connectionsDelete,
  keysList, keysRotate,
  mailTest,
  configValidate, configExport,
];

/** Exit statuses: success, a command that failed, a command line that names no command or is wrong for it. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

const asksForHelp = (word: string | undefined) => word === '--help' || word === '-h';

/** The command whose words start the command line, the one with the most words when several do. */
function find(argv: string[]): AnyCommand | undefined {
  return commands
    .filter((command) => command.words.every((word, i) => argv[i] === word))
    .sort((a, b) => b.words.length - a.words.length)[0];
}

/** Help for `gatehouse help [<command>]`, `gatehouse <group> --help` and `gatehouse --help`; undefined when it names nothing. */
function helpFor(words: string[]): string | undefined {
  const command = find(words);
  if (command && words.length === command.words.length) return commandHelp(command);
  if (words.length === 0) return overview(commands);
  if (words.length === 1 && commands.some((c) => c.words[0] === words[0])) return overview(commands, words[0]);
  return undefined;
}

/** A command line that names no command: what it could have been. */
function unknownCommand(argv: string[], io: CliIo): number {
  const group = argv[0]!;
  const known = commands.some((command) => command.words[0] === group);
  if (known && argv.length > 1 && asksForHelp(argv[1])) {
    io.stdout.write(overview(commands, group));
    return exitCodes.ok;
  }
  const named = argv.slice(0, known ? 2 : 1).filter((word) => !word.startsWith('-')).join(' ');
  const problem = known && named === group ? `"${group}" needs a command` : `unknown command "${named || argv[0]}"`;
  io.stderr.write(`gatehouse: ${problem}\n\n${overview(commands, known ? group : undefined)}`);
  return exitCodes.usage;
}

/** Runs one administrative command and returns the exit status; messages go to the given streams. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0) {
    io.stdout.write(overview(commands));
    return exitCodes.usage;
  }
  if (argv[0] === 'help' || asksForHelp(argv[0])) {
    const help = helpFor(argv.slice(1));
    if (help === undefined) return unknownCommand(argv.slice(1), io);
    io.stdout.write(help);
    return exitCodes.ok;
  }
  const command = find(argv);
  if (!command) return unknownCommand(argv, io);
  const name = command.words.join(' ');
  const parsed = parseCommandLine(command, argv.slice(command.words.length));
  if (parsed.kind === 'help') {
    io.stdout.write(commandHelp(command));
    return exitCodes.ok;
  }
  const wrongArguments = (message: string) => {
    io.stderr.write(`gatehouse ${name}: ${message}\n\nUsage: ${usageLine(command)}\nRun "gatehouse ${name} --help" for its arguments and options.\n`);
    return exitCodes.usage;
  };
  if (parsed.kind === 'usage_error') return wrongArguments(parsed.message);
  try {
    command.checkLine?.(parsed.args, parsed.options);
    if (command.needs === 'environment') {
      await command.run(parsed.args, io.env, io, parsed.options);
      return exitCodes.ok;
    }
    const context = await openCliContext(io.env, name);
    try {
      await command.run(parsed.args, context, io, parsed.options);
    } finally {
      await context.close();
    }
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) return wrongArguments(error.message);
    // An operator needs the reason, not a stack trace; only an unexpected failure shows more.
    const reason = isGatehouseError(error) ? error.message : `unexpected failure: ${(error as Error).message ?? String(error)}`;
    io.stderr.write(`gatehouse: ${reason}\n`);
    return exitCodes.failed;
  }
}
