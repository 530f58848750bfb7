import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the console's build is (vite writes it to dist/console-app of the package; dist/console is tsc's output of src/console): found from
 * this file upwards, since the server runs from src/ (tests), dist/ or the bundle in
 * dist/server/, and from any working directory.
 */
export function consoleDirectory(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'gatehouse') {
      const built = path.join(dir, 'dist', 'console-app');
      return existsSync(path.join(built, 'index.html')) ? built : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
