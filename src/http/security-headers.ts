import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { defaults } from '../config/defaults.js';

export type HeaderSet = Readonly<Record<string, string>>;

/**
 * Server-rendered pages, Gatehouse's and the engine's: no framing, no referrer leaks, no caching
 * of pages that carry tokens or forms. `form-action` is left out on purpose: Chrome applies it to
 * the redirects that follow a form post, which would block the return to the application.
 * `script-src 'self'` admits the sign-in pages' one script, the passkey script (a same-origin
 * file, never inline; src/mfa/passkey-script.ts), and lets oidc-provider add the hash of its
 * form_post auto-submit script; `connect-src 'self'` lets the passkey script fetch its WebAuthn
 * options from Gatehouse itself.
 */
const page: HeaderSet = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** JSON for programs: nothing in it is rendered, but a browser opening it loads nothing and frames nothing; answers are never cached. */
const api: HeaderSet = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** Static assets are the same for everyone and change only with a release. */
const asset: HeaderSet = {
  'x-content-type-options': 'nosniff',
  'cache-control': `public, max-age=${defaults.stylesheetMaxAgeSeconds}`,
};

/**
 * The admin console's page (src/console): its own scripts and styles only, no inline ones, and
 * calls to Gatehouse alone. `no-cache`, not `no-store`: the browser may keep the page but asks
 * each time whether a release replaced it.
 */
const consolePage: HeaderSet = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/** The console's files are named by a hash of their content: a changed file is a new name. */
const consoleAsset: HeaderSet = {
  'x-content-type-options': 'nosniff',
  'cache-control': `public, max-age=${defaults.console.assetMaxAgeSeconds}, immutable`,
};

/**
 * The branding's logo: its URL names a hash of its bytes, so it is cached for good; its type is
 * what its bytes are, never sniffed; an SVG opened directly (not in the pages' <img>) runs
 * nothing, in a sandbox, and loads nothing.
 */
const logo: HeaderSet = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'x-content-type-options': 'nosniff',
  'cache-control': `public, max-age=${defaults.branding.versionedMaxAgeSeconds}, immutable`,
};

/** The header sets by kind of route; each plugin names the one for the routes it serves. */
export const headerSets = { page, api, asset, logo, console: consolePage, consoleAsset } as const;

const chosen = new WeakMap<FastifyReply, HeaderSet>();

/**
 * Gives a reply one set, replacing the set it had: an error rendered as a page inside the JSON
 * API is a page. A route may still set one of these headers itself afterwards.
 */
export function setHeaderSet(reply: FastifyReply, set: HeaderSet): void {
  for (const name of Object.keys(chosen.get(reply) ?? {})) reply.removeHeader(name);
  reply.headers(set);
  chosen.set(reply, set);
}

/** Every reply of the routes of this encapsulated scope (a plugin) starts with the set. */
export function useHeaderSet(scope: FastifyInstance, set: HeaderSet): void {
  scope.addHook('onRequest', async (_request, reply) => setHeaderSet(reply, set));
}

/**
 * A route outside any plugin that names a set, and an answer Fastify makes before any route is
 * found, still gets the strictest set, the pages'; headers the route set itself are kept.
 */
export const defaultHeaderSet = fp(
  async (app) => {
    app.addHook('onSend', async (_request, reply) => {
      if (chosen.has(reply)) return;
      for (const [name, value] of Object.entries(page)) {
        if (!reply.hasHeader(name)) reply.header(name, value);
      }
    });
  },
  { name: 'gatehouse-default-header-set' },
);

/** For responses oidc-provider writes on the raw Node response: they are pages. */
export function applySecurityHeaders(res: ServerResponse, set: HeaderSet = page): void {
  for (const [name, value] of Object.entries(set)) {
    if (!res.hasHeader(name)) res.setHeader(name, value);
  }
}
