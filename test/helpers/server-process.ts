import type { ChildProcess } from 'node:child_process';

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
