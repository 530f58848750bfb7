import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { passkeyBrowserCode } from './passkey-browser-code.js';

export const passkeyScriptPath = '/assets/passkey.js';

export interface PasskeyScript {
  js: string;
  /** A short hash of the text: its URL's version, which changes with a release that changes either part. */
  version: string;
}

/**
 * @simplewebauthn/browser's own browser build (it defines the global `SimpleWebAuthnBrowser`),
 * read from node_modules where the server runs: from src/ in tests, from the bundle in
 * dist/server under `npm start`. The package's exports name only its entry points, so the
 * build is found beside the CommonJS one.
 */
function simpleWebAuthnBrowserBuild(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFileSync(path.join(path.dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

let built: PasskeyScript | undefined;

/**
 * The one script of the sign-in pages: the library, then Gatehouse's few lines that use it, in
 * one same-origin file, which `script-src 'self'` admits without a nonce or an inline script.
 * Built at its first use and kept: it changes only with a release.
 */
export function passkeyScript(): PasskeyScript {
  if (!built) {
    const js = `${simpleWebAuthnBrowserBuild()}\n${passkeyBrowserCode}`;
    built = { js, version: createHash('sha256').update(js).digest('hex').slice(0, 16) };
  }
  return built;
}

/** Where pages load it: versioned, so that a browser may keep it for good. */
export function passkeyScriptUrl(): string {
  return `${passkeyScriptPath}?v=${passkeyScript().version}`;
}
