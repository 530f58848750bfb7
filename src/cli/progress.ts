import type { CliIo } from './cli-io.js';

/** How far a long command has got: a fraction when the total is known, and counts to show. */
export interface ProgressState {
  fraction: number | undefined;
  text: string;
}

export interface Progress {
  update(state: ProgressState): void;
  /** The last state, always shown, and the line ended. */
  done(state: ProgressState): void;
}

const redrawMilliseconds = 100;
const plainLineMilliseconds = 1000;

/**
 * Progress on standard error: a bar redrawn in place on a terminal, plain lines (at most one a
 * second, and the last) otherwise, so that a log or a pipe gets no carriage returns.
 */
export function createProgress(io: CliIo, now: () => number = Date.now): Progress {
  const terminal = io.stderr.isTTY === true;
  let shownAt = -Infinity;
  const bar = ({ fraction, text }: ProgressState): string => {
    if (fraction === undefined) return text;
    const width = Math.max(10, Math.min(40, (io.stderr.columns ?? 80) - text.length - 10));
    const filled = Math.round(Math.min(1, fraction) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(Math.min(1, fraction) * 100)).padStart(3)}%  ${text}`;
  };
  const show = (state: ProgressState, last: boolean) => {
    const time = now();
    if (!last && time - shownAt < (terminal ? redrawMilliseconds : plainLineMilliseconds)) return;
    shownAt = time;
    // \x1b[K clears what a longer line before left.
    io.stderr.write(terminal ? `\r${bar(state)}\x1b[K${last ? '\n' : ''}` : `progress: ${state.fraction === undefined ? '' : `${Math.floor(Math.min(1, state.fraction) * 100)}%, `}${state.text}\n`);
  };
  return { update: (state) => show(state, false), done: (state) => show(state, true) };
}
