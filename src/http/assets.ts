import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { BrandingService } from '../branding/branding-service.js';
import { storedOrDefaultBranding } from '../branding/page-branding.js';
import { defaults } from '../config/defaults.js';
import { passkeyScript, passkeyScriptPath } from '../mfa/passkey-script.js';
import { stylesheetFor, stylesheetPath } from '../views/stylesheet.js';
import { headerSets, useHeaderSet } from './security-headers.js';

export interface AssetOptions {
  /** The stylesheet's accent is the branding's primary colour, read at each request. */
  branding: Pick<BrandingService, 'get'>;
}

/**
 * The static files of the sign-in pages, served by Gatehouse itself. The stylesheet is built
 * with the stored colour; asked for by the version the pages link (`?v=`, a hash of its text),
 * it is cached for good, since a new colour or release is a new version. Asked for by another
 * version (a page rendered just before a change), it is the current one, not to be kept. The
 * passkey script (the one script of the sign-in pages) is versioned the same way.
 */
export const assetRoutes: FastifyPluginAsync<AssetOptions> = async (app, { branding }) => {
  useHeaderSet(app, headerSets.asset);
  app.get<{ Querystring: { v?: string } }>(stylesheetPath, async (request, reply) => {
    const { css, version } = stylesheetFor((await storedOrDefaultBranding(branding)).primaryColor);
    cacheByVersion(reply, request.query.v, version);
    return reply.type('text/css; charset=utf-8').send(css);
  });
  app.get<{ Querystring: { v?: string } }>(passkeyScriptPath, async (request, reply) => {
    const { js, version } = passkeyScript();
    cacheByVersion(reply, request.query.v, version);
    return reply.type('text/javascript; charset=utf-8').send(js);
  });
  // Browsers ask for it on every page; "no icon" answered once and cached, instead of a 404 in every console.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
};

/** Kept for good when asked for by the current version; not kept when asked for by another; the set's default when asked for by none. */
function cacheByVersion(reply: FastifyReply, asked: string | undefined, version: string): void {
  if (asked === version) reply.header('cache-control', `public, max-age=${defaults.branding.versionedMaxAgeSeconds}, immutable`);
  else if (asked !== undefined) reply.header('cache-control', 'no-cache');
}
