import { isGatehouseError } from '../errors/gatehouse-error.js';
import { openCliContext } from './cli-context.js';
import type { CliIo } from './cli-io.js';
import type { Command } from './commands/command.js';
import { connectionsDelete } from './commands/connections-delete.js';
import { connectionsList } from './commands/connections-list.js';
import { connectionsTest } from './commands/connections-test.js';
import { ipsUnblock } from './commands/ips-unblock.js';
import { scopesCreate } from './commands/scopes-create.js';
import { scopesDelete } from './commands/scopes-delete.js';
import { scopesList } from './commands/scopes-list.js';
import { usersSetPassword } from './commands/users-set-password.js';
import { usersUnlock } from './commands/users-unlock.js';

const commands: Command[] = [usersUnlock, usersSetPassword, ipsUnblock, scopesCreate, scopesList, scopesDelete, connectionsList, connectionsTest, connectionsDelete];

/** Exit statuses: success, a command that failed, a command line that names no command. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

function usage(): string {
  const lines = commands.map((c) => `  gatehouse ${[...c.words, ...c.arguments].join(' ').padEnd(52)} ${c.summary}`);
  return [
    'Usage:',
    ...lines,
    '',
    'Commands use the server\'s environment (GATEHOUSE_DATA_DIR or DATABASE_URL, GATEHOUSE_CONFIG) and may run beside it.',
    '',
  ].join('\n');
}

function match(argv: string[]): { command: Command; args: string[] } | undefined {
  const command = commands.find((c) => c.words.every((word, i) => argv[i] === word));
  if (!command) return undefined;
  const args = argv.slice(command.words.length);
  return args.length === command.arguments.length ? { command, args } : undefined;
}

/** Runs one administrative command and returns the exit status; messages go to the given streams. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0]!)) {
    io.stdout.write(usage());
    return argv.length === 0 ? exitCodes.usage : exitCodes.ok;
  }
  const found = match(argv);
  if (!found) {
    io.stderr.write(`gatehouse: unknown command or wrong arguments: ${argv.join(' ')}\n\n${usage()}`);
    return exitCodes.usage;
  }
  try {
    const context = await openCliContext(io.env, found.command.words.join(' '));
    try {
      await found.command.run(found.args, context, io);
    } finally {
      await context.close();
    }
    return exitCodes.ok;
  } catch (error) {
    // An operator needs the reason, not a stack trace; only an unexpected failure shows more.
    const reason = isGatehouseError(error) ? error.message : `unexpected failure: ${(error as Error).message ?? String(error)}`;
    io.stderr.write(`gatehouse: ${reason}\n`);
    return exitCodes.failed;
  }
}
