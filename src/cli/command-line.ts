import type { AnyCommand, CommandOptions, OptionSpec } from './commands/command.js';

/** What the words after the command's own say: its arguments and options, or a mistake to report with exit status 2. */
export type ParsedCommandLine =
  | { kind: 'run'; args: string[]; options: CommandOptions }
  | { kind: 'help' }
  | { kind: 'usage_error'; message: string };

const helpOption: OptionSpec = { name: 'help', description: 'show this help' };

/**
 * Reads `<arguments> [--option value | --option=value | --flag]…` in any order; `--` ends the
 * options, so that an argument may start with a dash. `-h` or `--help` anywhere asks for help.
 */
export function parseCommandLine(command: AnyCommand, words: string[]): ParsedCommandLine {
  const specs = new Map((command.options ?? []).map((spec) => [spec.name, spec]));
  const args: string[] = [];
  const options: CommandOptions = {};
  let optionsEnded = false;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (optionsEnded || !word.startsWith('-') || word === '-') {
      args.push(word);
      continue;
    }
    if (word === '--') {
      optionsEnded = true;
      continue;
    }
    if (word === '-h' || word === '--help') return { kind: 'help' };
    if (!word.startsWith('--')) return { kind: 'usage_error', message: `unknown option ${word}` };
    const equals = word.indexOf('=');
    const name = word.slice(2, equals === -1 ? undefined : equals);
    const spec = specs.get(name);
    if (!spec) return { kind: 'usage_error', message: `unknown option --${name}` };
    let value: string | true;
    if (spec.value === undefined) {
      if (equals !== -1) return { kind: 'usage_error', message: `option --${name} takes no value` };
      value = true;
    } else if (equals !== -1) {
      value = word.slice(equals + 1);
    } else {
      const next = words[i + 1];
      if (next === undefined) return { kind: 'usage_error', message: `option --${name} needs a value ${spec.value}` };
      value = next;
      i += 1;
    }
    if (spec.repeatable) {
      options[name] = [...((options[name] as string[] | undefined) ?? []), value as string];
    } else if (options[name] !== undefined) {
      return { kind: 'usage_error', message: `option --${name} is given twice` };
    } else {
      options[name] = value;
    }
  }
  if (args.length < command.arguments.length) return { kind: 'usage_error', message: `missing argument ${command.arguments.slice(args.length).join(' ')}` };
  if (args.length > command.arguments.length) return { kind: 'usage_error', message: `unexpected argument "${args[command.arguments.length]}"` };
  return { kind: 'run', args, options };
}

/** `gatehouse apps create <client_id> [options]` */
export function usageLine(command: AnyCommand): string {
  return ['gatehouse', ...command.words, ...command.arguments, ...(command.options?.length ? ['[options]'] : [])].join(' ');
}

const optionLabel = (spec: OptionSpec) => `${spec.name === 'help' ? '-h, ' : ''}--${spec.name}${spec.value ? ` ${spec.value}` : ''}`;

/** Two columns, the second wrapped under itself. */
function table(rows: Array<[string, string]>): string[] {
  const width = Math.min(Math.max(...rows.map(([left]) => left.length)) + 2, 36);
  return rows.flatMap(([left, right]) => {
    const wrapped = wrap(right, 100 - width - 2);
    const first = left.length + 2 > width ? [`  ${left}`, `  ${''.padEnd(width)}${wrapped[0]}`] : [`  ${left.padEnd(width)}${wrapped[0]}`];
    return [...first, ...wrapped.slice(1).map((line) => `  ${''.padEnd(width)}${line}`)];
  });
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/** What `gatehouse <command> --help` prints: usage, what it does, its arguments, options and examples. */
export function commandHelp(command: AnyCommand): string {
  const parts = [`Usage: ${usageLine(command)}`, '', ...wrap(`${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`, 100)];
  if (command.details) parts.push('', ...command.details.split('\n\n').flatMap((paragraph, i) => [...(i > 0 ? [''] : []), ...wrap(paragraph, 100)]));
  if (command.arguments.length > 0) {
    parts.push('', 'Arguments:', ...table(command.arguments.map((name) => [name, command.argumentHelp?.[name] ?? ''])));
  }
  const specs = [...(command.options ?? []), helpOption];
  parts.push('', 'Options:', ...table(specs.map((spec) => [optionLabel(spec), `${spec.description}${spec.repeatable ? ' (repeatable)' : ''}`])));
  if (command.examples?.length) parts.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  parts.push('', 'Exit status: 0 done, 1 refused or failed (the message says why), 2 wrong arguments.', '');
  return parts.join('\n');
}

/** What `gatehouse --help` prints: every command, grouped by its first word. */
export function overview(commands: AnyCommand[], only?: string): string {
  const shown = only ? commands.filter((command) => command.words[0] === only) : commands;
  const width = Math.max(...shown.map((command) => usageLine(command).length)) + 2;
  const lines: string[] = ['Usage: gatehouse <command> [arguments] [options]', ''];
  // `serve` and `migrate` stand together; the others go by their first word.
  const groupOf = (command: AnyCommand) => (command.words.length > 1 ? command.words[0] : '');
  let group: string | undefined;
  for (const command of shown) {
    if (group !== undefined && groupOf(command) !== group) lines.push('');
    group = groupOf(command);
    lines.push(`  ${usageLine(command).padEnd(width)}${command.summary}`);
  }
  lines.push(
    '',
    'Run "gatehouse <command> --help" for its arguments, options and examples.',
    'Commands use the server\'s environment (GATEHOUSE_DATA_DIR or DATABASE_URL, GATEHOUSE_SECRET, GATEHOUSE_CONFIG) and may run beside it.',
    '',
  );
  return lines.join('\n');
}
