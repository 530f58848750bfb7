import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Collects everything a spawned Gatehouse prints, and resolves once it printed its start banner;
 * rejects with the output when it exits first. `output()` keeps growing as the process prints.
 */
export async function untilReady(child: ChildProcess): Promise<{ output(): string }> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Gatehouse is ready')) resolve();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => reject(new Error(`gatehouse exited with ${code} before it was ready:\n${output}`)));
  });
  return { output: () => output };
}

/** The processes whose parent is `pid` (Linux: read from /proc), e.g. the server npm runs, or a supervisor's workers. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      // /proc/<pid>/stat: "pid (command) state ppid …"; the command may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === pid ? [Number(name)] : [];
    } catch {
      return []; // it ended while the list was read
    }
  });
}

/** Whether a process of this id exists (a zombie, exited but not yet reaped, counts as ended). */
export function isRunning(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The exit status of a process the test signalled, which must come within `seconds`: the bound
 * a supervisor gives it before SIGKILL (docker stop: 10 s), not a measure of speed.
 */
export function exitWithin(child: ChildProcess, seconds: number, output: () => string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`still running ${seconds} s after the signal:\n${output()}`)), seconds * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Resolves once nothing accepts connections on the port any more (the server stopped listening). */
export async function untilRefused(port: number): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Its children, theirs, and so on: every process started under `pid` (npm's shell and the server it runs). */
export function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}
