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

// Each test file is a process of its own, and most load the server, whose oidc-provider, kysely, zod, jose and
// openid-client are ES modules of some hundreds of files. With tsx's loader hooks registered, which run on a thread of
// their own on Node 20, every one of those files costs a round trip to that thread: with the hooks, loading the server
// took about 1 s more CPU than without. Loaded before tsx (the first --import), these packages are read by Node's own
// loader, and the imports of src/ and test/ find them loaded: the same modules, at the same URLs (resolved here from the
// repository root, as src/ resolves them), so each file runs the same code, started about 0.5 to 1 s of CPU sooner. A file
// that needs none of them (most of test/unit/) loads them all the same, for about 0.3 s.
const loadedBeforeTsx = ['oidc-provider', 'kysely', 'zod', 'jose', 'openid-client'].flatMap((name) => {
  try {
    return [import.meta.resolve(name)];
  } catch {
    return []; // no longer a dependency: nothing to load ahead
  }
});
const preload = `data:text/javascript,${encodeURIComponent(`await Promise.all(${JSON.stringify(loadedBeforeTsx)}.map((url) => import(url)));`)}`;

const requested = process.argv.slice(2);
const files = requested.length > 0 ? requested : find('test').sort();
const result = spawnSync(
  process.execPath,
  ['--import', preload, '--import', 'tsx', '--test', '--test-concurrency=3', '--test-timeout=180000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
