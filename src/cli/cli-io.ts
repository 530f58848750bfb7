/** The streams a command talks through; tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: { write(text: string): unknown };
  /** A terminal (isTTY) gets redrawn progress bars; anything else plain lines. */
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** The environment the configuration is read from; the process's own when absent. */
  env?: NodeJS.ProcessEnv;
}
