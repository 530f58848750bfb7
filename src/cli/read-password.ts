import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { CliIo } from './cli-io.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal without echoing what is typed. */
async function ask(io: CliIo, prompt: string): Promise<string> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: io.stdin, output: silent, terminal: true });
  try {
    io.stderr.write(prompt);
    return await reader.question('');
  } finally {
    reader.close();
    io.stderr.write('\n');
  }
}

/**
 * A new password from standard input: typed twice on a terminal, or piped, in which case one
 * trailing line break (as `echo` adds) is not part of it. Never taken from the command line,
 * where it would land in shell history and process listings.
 */
export async function readNewPassword(io: CliIo): Promise<string> {
  if (io.stdin.isTTY) {
    const first = await ask(io, 'New password: ');
    const second = await ask(io, 'Repeat it: ');
    if (first !== second) throw new GatehouseError('invalid_request', 'the two passwords differ; nothing was changed');
    return first;
  }
  const password = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  if (password.length === 0) throw new GatehouseError('invalid_request', 'no password on standard input (pipe it in, e.g. printf %s "$PASSWORD" | gatehouse users set-password alice)');
  return password;
}
