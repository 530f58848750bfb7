#!/usr/bin/env node
import { runCli } from './run-cli.js';

/** The `gatehouse` command (docs/cli.md): administration, and `gatehouse serve`, the same start as `npm start`. */
runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gatehouse: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
