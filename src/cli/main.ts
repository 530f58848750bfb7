#!/usr/bin/env node
import { runCli } from './run-cli.js';

/** The `gatehouse` administration command; the server itself is started by `npm start`. */
runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gatehouse: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
