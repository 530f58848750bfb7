// Runs every test file under test/ with Node's test runner, three files at a time: the CI machine has two cores, and each
// file spends part of its time waiting (on its server, PostgreSQL, a timer) that a third file's work fills.
// It does not build: `npm test` runs `npm run build` before it, for the CLI tests that run the built bin
// (dist/cli/main.js); they refuse a dist/ that is not a build of the current src/ (test/helpers/cli.ts).
// A test that hangs fails after three minutes instead of holding the whole run until CI gives up.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return find(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const requested = process.argv.slice(2);
const files = requested.length > 0 ? requested : find('test').sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=180000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
