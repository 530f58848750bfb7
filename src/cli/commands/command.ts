import type { CliContext } from '../cli-context.js';
import type { CliIo } from '../cli-io.js';

/**
 * An option of a command: `--name <value>` (given once, or `repeatable`), or a flag without a
 * value (`--public`) when it has no `value` placeholder.
 */
export interface OptionSpec {
  /** Without the dashes: `redirect-uri`. */
  name: string;
  /** The placeholder shown in help, e.g. `<uri>`; absent for a flag. */
  value?: string;
  repeatable?: boolean;
  description: string;
}

/** What the command line gave: each option's value, every value of a repeatable one, or true for a flag. */
export type CommandOptions = Record<string, string | string[] | boolean | undefined>;

/** What `gatehouse <words> --help` shows besides the usage line. */
interface CommandHelp {
  /** `gatehouse <words> <arguments>`: e.g. ['apps', 'create'] and ['<client_id>']. */
  words: string[];
  arguments: string[];
  /** One line, for `gatehouse --help`. */
  summary: string;
  /** What each argument is, by its placeholder. */
  argumentHelp?: Record<string, string>;
  options?: OptionSpec[];
  /** A paragraph or two more, for the command's own help. */
  details?: string;
  examples?: string[];
  /** Refuses, with a UsageError, a command line whose options contradict each other: before any database is opened. */
  checkLine?(args: string[], options: CommandOptions): void;
}

/** One administrative command working on the server's database through its services. */
export interface Command extends CommandHelp {
  needs?: 'services';
  run(args: string[], context: CliContext, io: CliIo, options: CommandOptions): Promise<void>;
}

/** One that needs no open database: starting the server, migrating, checking a file. */
export interface StandaloneCommand extends CommandHelp {
  needs: 'environment';
  /** `env`: what the configuration is read from (loadConfig's), the process's own when undefined. */
  run(args: string[], env: NodeJS.ProcessEnv | undefined, io: CliIo, options: CommandOptions): Promise<void>;
}

export type AnyCommand = Command | StandaloneCommand;

/** A command line the command's own rules refuse (options that contradict each other): exit status 2, with its usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A value option's single value. */
export function stringOption(options: CommandOptions, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable option's values, in the order given (none when absent). */
export function listOption(options: CommandOptions, name: string): string[] {
  const value = options[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}
