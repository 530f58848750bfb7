import type { CliContext } from '../cli-context.js';
import type { CliIo } from '../cli-io.js';

/** One administrative command: `gatehouse <words> <arguments>`. */
export interface Command {
  words: string[];
  arguments: string[];
  summary: string;
  run(args: string[], context: CliContext, io: CliIo): Promise<void>;
}
