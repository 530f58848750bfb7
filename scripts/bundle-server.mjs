// Bundles the built server (dist/main.js and the cluster worker it forks) into dist/server/, which
// `npm start` runs. Loading one file instead of some 1,500 modules, each resolved, read and
// compiled on its own, halves the start and takes about 20 MB off the idle memory
// (docs/performance.md). The sources are tsc's output, so the bundle is the code the tests run.
// Native modules and pg (loaded only on PostgreSQL) stay in node_modules.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/server');

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The supervisor forks `./worker.js` beside its own module: both entries and their shared chunks land in one folder.
  entryPoints: { main: 'dist/main.js', worker: 'dist/cluster/worker.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', '@node-rs/argon2', 'pg', 'pg-native'],
  // Bundled CommonJS packages call require() for Node's own modules; an ES module has none of its own.
  banner: { js: "import { createRequire as __gatehouseRequire } from 'node:module'; const require = __gatehouseRequire(import.meta.url);" },
  legalComments: 'eof',
  logLevel: 'warning',
});
